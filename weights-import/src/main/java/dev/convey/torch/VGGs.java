package dev.convey.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.Flatten;
import dev.convey.layers.MaxPooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * torchvision's {@code vgg11/13/16/19} and their {@code _bn} variants ({@code torchvision/models/vgg.py}).
 * {@code features} is an {@code nn.Sequential} whose modules are numbered in order: each number of a
 * configuration is a 3x3 conv (padding 1, with bias), then BatchNorm (the {@code _bn} models) and ReLU; each
 * {@code M} a 2x2/2 max pool. So {@code features.0} is the first conv, and in vgg16 {@code features.28} the
 * last. Then {@code avgpool} (adaptive to 7x7: nothing to do at 224x224 inputs, so no layer then),
 * {@code torch.flatten} in NCHW order, and {@code classifier}: 0 Linear 25088 -> 4096, 1 ReLU, 2 Dropout,
 * 3 Linear 4096 -> 4096, 4 ReLU, 5 Dropout, 6 Linear 4096 -> classes. Without BatchNorm the ReLU is fused into
 * the conv (and Linear) before it.
 */
final class VGGs {

    private static final int M = 0;

    private VGGs() {
    }

    private static int[] config(String depth) {
        return switch (depth) {
            case "vgg11" -> new int[] {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
            case "vgg13" -> new int[] {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
            case "vgg16" -> new int[] {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
            case "vgg19" -> new int[] {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M,
                    512, 512, 512, 512, M};
            default -> throw new IllegalArgumentException("not a torchvision VGG: " + depth);
        };
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        boolean batchNorm = name.endsWith("_bn");
        int[] config = config(batchNorm ? name.substring(0, name.length() - 3) : name);
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = input;
        List<String> order = new ArrayList<>();
        int index = 0;
        for (int v : config) {
            if (v == M) {
                x = new MaxPooling2D(2).strides(2).name("features." + index++).apply(x);
                continue;
            }
            Conv2D conv = new Conv2D(v, 3).padding("same");
            order.add("features." + index);
            if (batchNorm) {
                x = conv.name("features." + index).apply(x);
                x = ResNets.bn("features." + (index + 1), order).apply(x);
                x = ResNets.relu("features." + (index + 2)).apply(x);
                index += 3;
            } else {
                x = conv.activation("relu").name("features." + index).apply(x);
                index += 2;
            }
        }
        int[] features = x.shape();
        if (features[0] != 7 || features[1] != 7) {
            x = new AdaptiveAveragePooling2D(7, 7).name("avgpool").apply(x);
        }
        x = new Flatten().name("flatten").apply(x);
        x = new Dense(4096).activation("relu").name("classifier.0").apply(x);
        x = new Dropout(0.5).name("classifier.2").apply(x);
        x = new Dense(4096).activation("relu").name("classifier.3").apply(x);
        x = new Dropout(0.5).name("classifier.5").apply(x);
        x = new Dense(classes).name("classifier.6").apply(x);
        order.addAll(List.of("classifier.0", "classifier.3", "classifier.6"));
        return new TorchvisionModel(name, new Model(input, x, name), Map.of("classifier.0", new int[] {7, 7, 512}), order);
    }
}
