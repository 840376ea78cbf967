package dev.convey.torch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * torchvision's classification models by name, as {@code torchvision.models.NAME(num_classes=...)} builds them
 * (randomly initialised; load a state_dict with {@link TorchvisionModel#loadWeights}). Inputs are NHWC
 * (default 224x224x3, inception_v3 299x299x3) with torchvision's preprocessing
 * ({@link TorchTransforms#imagenetEval}); outputs are logits, as in PyTorch (apply softmax for probabilities).
 *
 * <p>squeezenet and googlenet use {@code ceil_mode} max pools ({@link Modules#maxPoolCeil}).
 */
public final class Torchvision {

    /** The architectures {@link #create} builds. */
    public static final List<String> NAMES = List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
            "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "mobilenet_v2",
            "mobilenet_v3_large", "mobilenet_v3_small", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2",
            "efficientnet_b3", "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
            "densenet121", "densenet161", "densenet169", "densenet201", "inception_v3", "squeezenet1_0", "squeezenet1_1",
            "googlenet");

    private Torchvision() {
    }

    /** {@code torchvision.models.NAME()}: 1000 ImageNet classes, 224x224x3 input (inception_v3: 299x299x3). */
    public static TorchvisionModel create(String name) {
        return create(name, 1000, defaultInputShape(name));
    }

    /** The input size torchvision's weights for the model were trained at: 299x299x3 for inception_v3, else 224. */
    public static int[] defaultInputShape(String name) {
        return name.equals("inception_v3") ? new int[] {299, 299, 3} : new int[] {224, 224, 3};
    }

    /** {@code torchvision.models.NAME(num_classes=classes)} on NHWC inputs of the given (h, w, 3) shape. */
    public static TorchvisionModel create(String name, int classes, int[] inputShape) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be positive, got " + classes);
        }
        if (inputShape.length != 3 || inputShape[2] != 3) {
            throw new IllegalArgumentException("torchvision models take (height, width, 3) images, got "
                    + java.util.Arrays.toString(inputShape));
        }
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown torchvision model '" + name + "'; available: " + NAMES);
        }
        if (name.startsWith("resnet")) {
            return ResNets.create(name, classes, inputShape);
        }
        if (name.startsWith("vgg")) {
            return VGGs.create(name, classes, inputShape);
        }
        if (name.startsWith("mobilenet")) {
            return MobileNets.create(name, classes, inputShape);
        }
        if (name.startsWith("efficientnet")) {
            return EfficientNets.create(name, classes, inputShape);
        }
        if (name.startsWith("densenet")) {
            return DenseNets.create(name, classes, inputShape);
        }
        if (name.startsWith("squeezenet")) {
            return SqueezeNets.create(name, classes, inputShape);
        }
        if (name.equals("googlenet")) {
            return GoogLeNets.create(name, classes, inputShape);
        }
        return Inceptions.create(name, classes, inputShape);
    }

    /** The state_dict key of the last Linear's (squeezenet: 1x1 conv's) weight, whose rows are the classes. */
    static String headWeight(String name) {
        if (name.startsWith("resnet") || name.equals("inception_v3") || name.equals("googlenet")) {
            return "fc.weight";
        }
        if (name.startsWith("vgg")) {
            return "classifier.6.weight";
        }
        if (name.startsWith("densenet")) {
            return "classifier.weight";
        }
        return name.startsWith("mobilenet_v3") ? "classifier.3.weight" : "classifier.1.weight";
    }

    /**
     * {@code m = torchvision.models.NAME(); m.load_state_dict(torch.load(weights))}; classes from the file's last
     * layer. DenseNet checkpoints with torchvision's old {@code norm.1} keys load as torchvision's loader renames them.
     */
    public static TorchvisionModel load(String name, Path weights) throws IOException {
        return load(name, weights, defaultInputShape(name));
    }

    /** {@link #load(String, Path)} for inputs of another (height, width, 3) size. */
    public static TorchvisionModel load(String name, Path weights, int[] inputShape) throws IOException {
        StateDict sd = StateDict.read(weights);
        if (name.startsWith("densenet")) {
            sd = DenseNets.renameLegacyKeys(sd);
        }
        TorchTensor last = sd.get(headWeight(name));
        int classes = last != null && last.shape().length >= 2 ? last.shape()[0] : 1000;
        TorchvisionModel model = create(name, classes, inputShape);
        model.loadStateDict(sd, true);
        return model;
    }
}
