package dev.convey.torch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * torchvision's classification models by name, as {@code torchvision.models.NAME(num_classes=...)} builds them
 * (randomly initialised; load a state_dict with {@link TorchvisionModel#loadWeights}). Inputs are NHWC
 * (default 224x224x3) with torchvision's preprocessing ({@link TorchTransforms#imagenetEval}); outputs are
 * logits, as in PyTorch (apply softmax for probabilities).
 *
 * <p>Not yet here (their layers are not in Convey yet): mobilenet_v2, mobilenet_v3_small/large (depthwise
 * convolutions, hardswish, squeeze-excitation), efficientnet_b0-b7 (depthwise, SiLU, squeeze-excitation,
 * stochastic depth), densenet121/169/201 (pre-activation BN chains, 2x2 average pooling), inception_v3.
 */
public final class Torchvision {

    /** The architectures {@link #create} builds. */
    public static final List<String> NAMES = List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
            "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn");

    private Torchvision() {
    }

    /** {@code torchvision.models.NAME()}: 1000 ImageNet classes, 224x224x3 input. */
    public static TorchvisionModel create(String name) {
        return create(name, 1000, new int[] {224, 224, 3});
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
        if (name.startsWith("resnet") && NAMES.contains(name)) {
            return ResNets.create(name, classes, inputShape);
        }
        if (name.startsWith("vgg") && NAMES.contains(name)) {
            return VGGs.create(name, classes, inputShape);
        }
        throw new IllegalArgumentException("unknown torchvision model '" + name + "'; available: " + NAMES);
    }

    /** {@code m = torchvision.models.NAME(); m.load_state_dict(torch.load(weights))}; classes from the file's last layer. */
    public static TorchvisionModel load(String name, Path weights) throws IOException {
        StateDict sd = StateDict.read(weights);
        String head = name.startsWith("resnet") ? "fc.weight" : "classifier.6.weight";
        TorchTensor last = sd.get(head);
        int classes = last != null && last.shape().length == 2 ? last.shape()[0] : 1000;
        TorchvisionModel model = create(name, classes, new int[] {224, 224, 3});
        model.loadStateDict(sd, true);
        return model;
    }
}
