package dev.convey.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.Applications;
import dev.convey.keras.KerasFiles;
import dev.convey.models.Model;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The model a command runs, either a Keras application by name or a Keras model file:
 * <pre>
 *   --model NAME [--weights FILE|imagenet|none] [--no-top] [--classifier-activation softmax|linear]
 *                [--input-shape H,W,C] [--alpha A] [--depth-multiplier M] [--width-divisor N]
 * </pre>
 * NAME is any application of {@link Applications} (vgg16, resnet50, mobilenet, mobilenet_v2, efficientnet_b0, ...):
 * <pre>
 *   --model-file KERAS.h5
 * </pre>
 * Commands take it as {@code @ArgGroup(exclusive = true, multiplicity = "1") ModelSource model;}.
 */
final class ModelSource {

    @ArgGroup(exclusive = false)
    Application application;

    @Option(names = "--model-file", paramLabel = "KERAS.h5",
            description = "A whole model saved by Keras' model.save() (HDF5: architecture and weights).")
    Path modelFile;

    /** {@code --model} and the options that only make sense with it. */
    static final class Application {

        @Option(names = "--model", required = true, paramLabel = "NAME|torchvision/NAME",
                description = "A Keras application (vgg16, resnet50, mobilenet, mobilenet_v2, efficientnet_b0 ... b7, "
                        + "densenet121/169/201, ...) or a torchvision model "
                        + "(torchvision/resnet18, torchvision/vgg16, ...: --weights FILE.pth|FILE.safetensors|none).")
        String name;

        @Option(names = "--weights", paramLabel = "FILE|imagenet|none", defaultValue = ApplicationOptions.IMAGENET,
                description = "Keras weights file, 'imagenet' (from ~/.keras/models, downloaded if missing; "
                        + "default) or 'none' (random).")
        String weights;

        @Option(names = "--no-top", description = "Leave out the classifier (include_top=False).")
        boolean noTop;

        @Option(names = "--classifier-activation", defaultValue = "softmax", paramLabel = "softmax|linear",
                description = "Activation of the last Dense layer: softmax (default) or linear (the logits).")
        String classifierActivation;

        @Option(names = "--input-shape", split = ",", paramLabel = "H,W,C", hideParamSyntax = true,
                description = "Input shape (default 224,224,3 with the top, any size without it).")
        int[] inputShape;

        @Option(names = "--alpha", defaultValue = "1.0", paramLabel = "A",
                description = "MobileNet/MobileNetV2 width multiplier (default 1.0).")
        double alpha;

        @Option(names = "--depth-multiplier", defaultValue = "1", paramLabel = "M",
                description = "MobileNet's depth multiplier (default 1).")
        int depthMultiplier;

        @Option(names = "--width-divisor", defaultValue = "1", paramLabel = "N",
                description = "Test/benchmark hook: every channel count (and VGG16's 4096 units) divided by N; "
                        + "the tiny fixtures use 16.")
        int widthDivisor;
    }

    /** True for {@code --model torchvision/NAME}: torchvision's preprocessing, logits out. */
    boolean isTorchvision() {
        return application != null && TorchvisionSource.handles(application.name);
    }

    /** Builds or loads the model with its weights. */
    Model load() throws java.io.IOException {
        return load(true);
    }

    /**
     * Builds or loads the model; {@code withWeights} false skips an application's weights (what {@code summary}
     * needs: the architecture does not depend on them). A model file is always read whole.
     */
    Model load(boolean withWeights) throws java.io.IOException {
        if (modelFile != null) {
            requireFile(modelFile);
            return KerasFiles.loadModel(modelFile);
        }
        String weights = !withWeights || application.weights.equals("none") ? null : application.weights;
        if (isTorchvision()) {
            return TorchvisionSource.model(application.name, weights);
        }
        if (weights != null && !weights.equals(ApplicationOptions.IMAGENET)) {
            requireFile(Path.of(weights));
        }
        ApplicationOptions options = new ApplicationOptions().includeTop(!application.noTop).weights(weights)
                .inputShape(application.inputShape).widthDivisor(application.widthDivisor)
                .classifierActivation(application.classifierActivation).alpha(application.alpha)
                .depthMultiplier(application.depthMultiplier);
        return Applications.get(application.name).create(options);
    }

    /** The application's preprocess_input mode (caffe, tf, torch, none); a model file is taken as caffe (VGG16-style). */
    String preprocessMode() {
        return application != null ? Applications.get(application.name).preprocessMode() : "caffe";
    }

    static void requireFile(Path file) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
    }
}
