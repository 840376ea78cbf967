package dev.convey.torch;

import java.util.Map;


import dev.convey.layers.Add;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * torchvision's {@code resnet18/34/50/101/152} ({@code torchvision/models/resnet.py}), module for module:
 * <pre>
 *   conv1 7x7/2 pad 3, bn1, relu, maxpool 3x3/2 pad 1                 224 -> 112 -> 56
 *   layer1..layer4: [2,2,2,2] (18), [3,4,6,3] (34, 50), [3,4,23,3] (101), [3,8,36,3] (152) blocks,
 *                   widths 64, 128, 256, 512; layers 2-4 start with stride 2
 *   avgpool (adaptive 1x1 = global average), fc 1000
 * </pre>
 * BasicBlock (18, 34): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut). Bottleneck (50+): 1x1 conv1, 3x3
 * conv2, 1x1 conv3 to 4x the width; torchvision's "ResNet v1.5" puts the stride on the 3x3 conv2 (the Keras
 * and Caffe ResNet50 puts it on conv1). The shortcut is {@code downsample.0} (1x1 conv, stride) +
 * {@code downsample.1} (bn) where the shape changes. Convolutions have no bias; BatchNorm eps 1e-5.
 * PyTorch pads symmetrically, so a strided conv is {@link ZeroPadding2D} + valid conv; the max pool's zero
 * padding equals PyTorch's -inf padding because it follows a ReLU.
 */
final class ResNets {

    private final Modules modules = new Modules();

    private ResNets() {
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        return new ResNets().build(name, classes, inputShape);
    }

    private TorchvisionModel build(String name, int classes, int[] inputShape) {
        int[] blocks;
        boolean bottleneck = true;
        switch (name) {
            case "resnet18" -> { blocks = new int[] {2, 2, 2, 2}; bottleneck = false; }
            case "resnet34" -> { blocks = new int[] {3, 4, 6, 3}; bottleneck = false; }
            case "resnet50" -> blocks = new int[] {3, 4, 6, 3};
            case "resnet101" -> blocks = new int[] {3, 4, 23, 3};
            case "resnet152" -> blocks = new int[] {3, 8, 36, 3};
            default -> throw new IllegalArgumentException("not a torchvision ResNet: " + name);
        }
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = Modules.relu(modules.bn(conv(input, 64, 7, 2, 3, "conv1"), "bn1"), "relu");
        x = new ZeroPadding2D(1).name("maxpool.pad").apply(x);
        x = new MaxPooling2D(3).strides(2).name("maxpool").apply(x);
        int inChannels = 64;
        for (int stage = 0; stage < 4; stage++) {
            int width = 64 << stage;
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                String prefix = "layer" + (stage + 1) + "." + b;
                int outChannels = bottleneck ? 4 * width : width;
                boolean downsample = stride != 1 || inChannels != outChannels;
                x = bottleneck ? bottleneck(x, width, stride, downsample, prefix) : basic(x, width, stride, downsample, prefix);
                inChannels = outChannels;
            }
        }
        x = new GlobalAveragePooling2D().name("avgpool").apply(x);
        modules.add("fc");
        x = new Dense(classes).name("fc").apply(x);
        return new TorchvisionModel(name, new Model(input, x, name), Map.of(), modules.order());
    }

    private SymbolicTensor basic(SymbolicTensor x, int width, int stride, boolean downsample, String p) {
        SymbolicTensor y = Modules.relu(modules.bn(conv(x, width, 3, stride, 1, p + ".conv1"), p + ".bn1"), p + ".relu1");
        y = modules.bn(conv(y, width, 3, 1, 1, p + ".conv2"), p + ".bn2");
        SymbolicTensor shortcut = downsample ? shortcut(x, width, stride, p) : x;
        return Modules.relu(new Add().name(p + ".add").apply(y, shortcut), p + ".relu");
    }

    private SymbolicTensor bottleneck(SymbolicTensor x, int width, int stride, boolean downsample, String p) {
        SymbolicTensor y = Modules.relu(modules.bn(conv(x, width, 1, 1, 0, p + ".conv1"), p + ".bn1"), p + ".relu1");
        y = Modules.relu(modules.bn(conv(y, width, 3, stride, 1, p + ".conv2"), p + ".bn2"), p + ".relu2");
        y = modules.bn(conv(y, 4 * width, 1, 1, 0, p + ".conv3"), p + ".bn3");
        SymbolicTensor shortcut = downsample ? shortcut(x, 4 * width, stride, p) : x;
        return Modules.relu(new Add().name(p + ".add").apply(y, shortcut), p + ".relu");
    }

    private SymbolicTensor shortcut(SymbolicTensor x, int channels, int stride, String p) {
        return modules.bn(conv(x, channels, 1, stride, 0, p + ".downsample.0"), p + ".downsample.1");
    }

    /** torchvision's ResNet convolutions have no bias (a BatchNorm follows each). */
    private SymbolicTensor conv(SymbolicTensor x, int filters, int k, int stride, int padding, String name) {
        return modules.conv(x, filters, k, stride, padding, false, name);
    }
}
