package dev.convey.torch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.convey.keras.KerasFiles;
import dev.convey.layers.Layer;
import dev.convey.models.Model;

/**
 * Conversions between a torchvision model's files, for {@code convey convert} (the command is the Keras
 * helper's; it calls {@link #convert} for {@code --model torchvision/NAME}):
 * <pre>
 *   FILE.pth | FILE.safetensors  ->  KERAS.keras | KERAS.h5   a Keras model file (architecture + weights), so a
 *                                                          Keras user can fine-tune a PyTorch-pretrained base
 *   KERAS.keras | KERAS.h5 (a Convey-trained torchvision/NAME)  ->  FILE.pth | FILE.safetensors   a state_dict
 *                                                          for torchvision.models.NAME().load_state_dict(torch.load(...))
 *   .pth <-> .safetensors
 * </pre>
 * Formats go by extension. A Keras file is read back into the torchvision architecture by layer name, so the
 * model it holds must be the one {@code --model} names (same layer names and shapes). The Keras file holds the
 * eval-mode model only: inception_v3's AuxLogits head is not in it, so such a file cannot become a full
 * state_dict again (the error names the missing modules). A model that {@code convey train --base
 * torchvision/NAME} made (the base, global average pooling, {@code Dense(classes, softmax)}) becomes the
 * torchvision model with that Dense as its last Linear: PyTorch's model gives the logits, whose softmax is
 * the Keras model's output. Any other head is an error naming its layers.
 */
public final class TorchConvert {

    private TorchConvert() {
    }

    /** Reads {@code input} as {@code torchvision/name} and writes it as {@code output}; returns the model. */
    public static TorchvisionModel convert(String name, Path input, Path output) throws IOException {
        TorchvisionModel model = read(name, input);
        if (isKeras(output)) {
            KerasFiles.save(model.model(), output);
        } else {
            model.saveStateDict(output);
        }
        return model;
    }

    /** A torchvision model from a state_dict file or a Keras model file of the same architecture. */
    public static TorchvisionModel read(String name, Path input) throws IOException {
        if (!isKeras(input)) {
            return Torchvision.load(name, input);
        }
        Model keras = KerasFiles.loadModel(input);
        int[] inputShape = keras.input().shape();
        String head = Torchvision.headWeight(name).replace(".weight", "");
        Layer last = find(keras, head);
        if (last == null) {                    // convey train --base torchvision/NAME: its head is the output layer
            last = keras.output().layer();
            requireAveragePooledHead(keras, input);
        }
        if (last.weights().isEmpty() || last.weights().get(0).value().rank() < 2) {
            throw new IllegalArgumentException(input + " is not a Convey torchvision/" + name + " model: it has no"
                    + " Linear layer '" + head + "' and does not end with a Dense layer");
        }
        int classes = last.weights().get(0).value().dim(-1);          // a kernel's last axis: its outputs
        TorchvisionModel model = Torchvision.create(name, classes, inputShape);
        List<String> missing = new ArrayList<>();
        Set<Layer> used = new HashSet<>();
        for (String module : model.moduleOrder()) {
            Layer saved = module.equals(head) ? last : find(keras, module);
            if (saved == null) {
                missing.add(module);
            } else {
                model.layer(module).setWeights(saved.getWeights());
                used.add(saved);
            }
        }
        List<String> extra = new ArrayList<>();
        keras.layers().stream().filter(l -> !l.weights().isEmpty() && !used.contains(l)).forEach(l -> extra.add(l.name()));
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException(input + " does not hold torchvision/" + name + ": " + list(missing,
                    "module(s) missing") + "; " + list(extra, "layer(s) with weights that torchvision's " + name
                    + " does not have (a head other than global average pooling + one Dense)"));
        }
        return model;
    }

    /** The output Dense reads (through dropouts) a global average pooling, as torchvision's avgpool + flatten. */
    private static void requireAveragePooledHead(Model keras, Path input) {
        dev.convey.models.SymbolicTensor t = keras.output();
        do {
            t = t.inputs().isEmpty() ? null : t.inputs().get(0);
        } while (t != null && t.layer().className().equals("Dropout"));
        if (t == null || !t.layer().className().equals("GlobalAveragePooling2D")) {
            throw new IllegalArgumentException(input + ": the last Dense layer reads "
                    + (t == null ? "the input" : t.layer().className() + " '" + t.layer().name() + "'")
                    + ", not a GlobalAveragePooling2D: torchvision's head (average pooling + Linear) cannot hold it");
        }
    }

    private static String list(List<String> names, String what) {
        return names.size() + " " + what + (names.isEmpty() ? "" : " " + names.subList(0, Math.min(10, names.size()))
                + (names.size() > 10 ? " ..." : ""));
    }

    private static Layer find(Model model, String name) {
        for (Layer layer : model.layers()) {
            if (layer.name().equals(name)) {
                return layer;
            }
        }
        return null;
    }

    /** Whether the file is a Keras model ({@code .keras}, {@code .h5}, {@code .hdf5}) rather than a state_dict. */
    public static boolean isKeras(Path file) {
        String f = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return f.endsWith(".keras") || f.endsWith(".h5") || f.endsWith(".hdf5");
    }
}
