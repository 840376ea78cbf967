package dev.convey.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.convey.data.ColorMode;
import dev.convey.data.Images;
import dev.convey.data.Images.Pixels;
import dev.convey.layers.ActivationFunction;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.torch.Torchvision;
import dev.convey.torch.TorchvisionModel;
import dev.convey.torch.TorchTransforms;

/**
 * {@code --model torchvision/NAME --weights FILE.pth|FILE.safetensors|none}: a torchvision architecture with
 * a PyTorch state_dict, for {@code infer}, {@code predict}, {@code summary} and {@code convert}. Its inputs
 * are preprocessed as torchvision's ImageNet models expect (Resize 256, CenterCrop 224, Normalize) and its
 * outputs are logits (predict applies softmax).
 */
final class TorchvisionSource {

    static final String PREFIX = "torchvision/";

    private TorchvisionSource() {
    }

    static boolean handles(String modelName) {
        return modelName != null && modelName.startsWith(PREFIX);
    }

    /** The model with the state_dict loaded strictly ({@code weights} null or "none": torchvision's random init). */
    static TorchvisionModel load(String modelName, String weights) throws IOException {
        String name = modelName.substring(PREFIX.length());
        if (weights == null || weights.equals("none")) {
            return Torchvision.create(name);
        }
        return Torchvision.load(name, stateDictFile(modelName, weights));
    }

    /** The --weights file, which must exist ('imagenet' is refused: Convey does not download PyTorch weights). */
    private static Path stateDictFile(String modelName, String weights) throws IOException {
        if (weights.equals("imagenet")) {
            throw new IllegalArgumentException(modelName + " needs --weights FILE.pth or FILE.safetensors (a state_dict,"
                    + " e.g. torchvision's download from https://download.pytorch.org/models/) or --weights none;"
                    + " Convey does not download PyTorch weights");
        }
        Path file = Path.of(weights);
        ModelSource.requireFile(file);
        return file;
    }

    /**
     * {@code --base torchvision/NAME} of {@code convey train}: the model at (height, width) with the state_dict
     * loaded strictly, cut before its classifier ({@link TorchvisionModel#base}); preprocessing mode "torch".
     */
    static Model base(String modelName, String weights, int height, int width, String pooling) throws IOException {
        String name = modelName.substring(PREFIX.length());
        int[] inputShape = {height, width, 3};
        if (weights == null || weights.equals("none")) {
            return Torchvision.create(name, 1000, inputShape).base(pooling);
        }
        return Torchvision.load(name, stateDictFile(modelName, weights), inputShape).base(pooling);
    }

    /**
     * The eval transforms for a model of (crop, crop, 3) inputs: Resize(crop * 256 / 224) (inception_v3's
     * Resize(342) for CenterCrop(299)), CenterCrop(crop), ToTensor, Normalize; stacked into (N, crop, crop, 3).
     */
    static Tensor preprocess(List<Path> files, int crop) {
        int resize = (int) Math.round(crop * 256 / 224.0);
        Tensor batch = Tensor.zeros(files.size(), crop, crop, 3);
        for (int i = 0; i < files.size(); i++) {
            Pixels image = Images.decode(files.get(i), ColorMode.RGB);
            batch.batchSlice(i, 1).copyFrom(TorchTransforms.imagenetEval(image, resize, crop).reshape(1, crop, crop, 3));
        }
        return batch;
    }

    /** softmax over the last axis of (N, classes) logits: exp(z - max) / sum exp(z - max). */
    static Tensor softmax(Tensor logits) {
        Tensor p = Tensor.of(logits.toArray(), logits.shape());
        ActivationFunction.SOFTMAX.forward(p);
        return p;
    }

    /** The Convey model of a torchvision model, for the commands that only need a Model. */
    static Model model(String modelName, String weights) throws IOException {
        return load(modelName, weights).model();
    }
}
