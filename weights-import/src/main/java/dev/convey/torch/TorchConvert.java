package dev.convey.torch;

import java.io.IOException;
import java.nio.file.Path;

import dev.convey.keras.KerasModelFile;
import dev.convey.models.Model;

/**
 * Conversions between a torchvision model's files, for {@code convey convert} (the command is the Keras
 * helper's; it calls {@link #convert} for {@code --model torchvision/NAME}):
 * <pre>
 *   FILE.pth | FILE.safetensors  ->  KERAS.h5             a Keras model file (architecture + weights), so a Keras
 *                                                          user can fine-tune a PyTorch-pretrained base
 *   KERAS.h5 (a Convey-trained torchvision/NAME)  ->  FILE.pth | FILE.safetensors   a state_dict for
 *                                                          torchvision.models.NAME().load_state_dict(torch.load(...))
 *   .pth <-> .safetensors
 * </pre>
 * Formats go by extension. A Keras file is read back into the torchvision architecture by layer name, so the
 * model it holds must be the one {@code --model} names (same layer names and shapes).
 */
public final class TorchConvert {

    private TorchConvert() {
    }

    public static void convert(String name, Path input, Path output) throws IOException {
        TorchvisionModel model = read(name, input);
        if (isKeras(output)) {
            KerasModelFile.save(model.model(), output);
        } else {
            model.saveStateDict(output);
        }
    }

    /** A torchvision model from a state_dict file or a Keras model file of the same architecture. */
    public static TorchvisionModel read(String name, Path input) throws IOException {
        if (!isKeras(input)) {
            return Torchvision.load(name, input);
        }
        Model keras = KerasModelFile.load(input);
        int[] inputShape = keras.input().shape();
        TorchvisionModel model = Torchvision.create(name, 1000, inputShape);
        String head = model.moduleOrder().get(model.moduleOrder().size() - 1);
        int classes = keras.getLayer(head).weights().get(0).value().dim(1);
        model = classes == 1000 ? model : Torchvision.create(name, classes, inputShape);
        for (String layer : model.moduleOrder()) {
            model.model().getLayer(layer).setWeights(keras.getLayer(layer).getWeights());
        }
        return model;
    }

    private static boolean isKeras(Path file) {
        String f = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return f.endsWith(".h5") || f.endsWith(".hdf5");
    }
}
