package dev.convey.torch;

import java.util.Map;

import dev.convey.layers.Concatenate;
import dev.convey.layers.Dropout;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * torchvision's {@code squeezenet1_0} and {@code squeezenet1_1} ({@code torchvision/models/squeezenet.py}),
 * the models that need {@code ceil_mode}. {@code features} is an {@code nn.Sequential} numbered in order:
 * <pre>
 *   1_0: 0 conv 7x7/2 96, 1 ReLU, 2 max, Fire 3-5, 6 max, Fire 7-10, 11 max, Fire 12
 *   1_1: 0 conv 3x3/2 64, 1 ReLU, 2 max, Fire 3-4, 5 max, Fire 6-7, 8 max, Fire 9-12
 *   classifier: 0 Dropout(0.5), 1 conv 1x1 512 -> classes, 2 ReLU, 3 adaptive average pool to 1x1
 * </pre>
 * A Fire module: {@code squeeze} 1x1 conv + ReLU, then {@code expand1x1} (1x1) and {@code expand3x3}
 * (3x3 pad 1), each + ReLU, concatenated. Convolutions have biases; no BatchNorm. The max pools are
 * {@code MaxPool2d(3, stride=2, ceil_mode=True)} ({@link Modules#maxPoolCeil}).
 */
final class SqueezeNets {

    /** Per features index from 3 on: a Fire's (squeeze, expand) widths, or none for a max pool. */
    private static final int[][] V1_0 = {{16, 64}, {16, 64}, {32, 128}, {}, {32, 128}, {48, 192}, {48, 192}, {64, 256},
            {}, {64, 256}};
    private static final int[][] V1_1 = {{16, 64}, {16, 64}, {}, {32, 128}, {32, 128}, {}, {48, 192}, {48, 192},
            {64, 256}, {64, 256}};

    private final Modules modules = new Modules();

    private SqueezeNets() {
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        boolean v10 = switch (name) {
            case "squeezenet1_0" -> true;
            case "squeezenet1_1" -> false;
            default -> throw new IllegalArgumentException("not a torchvision SqueezeNet: " + name);
        };
        return new SqueezeNets().build(name, v10, classes, inputShape);
    }

    private TorchvisionModel build(String name, boolean v10, int classes, int[] inputShape) {
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = modules.conv(input, v10 ? 96 : 64, v10 ? 7 : 3, 2, 0, true, "features.0");
        x = maxPoolCeil(Modules.relu(x, "features.1"), "features.2");
        int index = 3;
        for (int[] fire : v10 ? V1_0 : V1_1) {
            String p = "features." + index++;
            x = fire.length == 0 ? maxPoolCeil(x, p) : fire(x, fire[0], fire[1], p);
        }
        x = new Dropout(0.5).name("classifier.0").apply(x);
        x = Modules.relu(modules.conv(x, classes, 1, 1, 0, true, "classifier.1"), "classifier.2");
        x = new GlobalAveragePooling2D().name("classifier.3").apply(x);
        return new TorchvisionModel(name, new Model(input, x, name), Map.of(), modules.order());
    }

    private SymbolicTensor fire(SymbolicTensor x, int squeeze, int expand, String p) {
        SymbolicTensor s = Modules.relu(modules.conv(x, squeeze, 1, 1, 0, true, p + ".squeeze"), p + ".squeeze_activation");
        SymbolicTensor e1 = Modules.relu(modules.conv(s, expand, 1, 1, 0, true, p + ".expand1x1"), p + ".expand1x1_activation");
        SymbolicTensor e3 = Modules.relu(modules.conv(s, expand, 3, 1, 1, true, p + ".expand3x3"), p + ".expand3x3_activation");
        return new Concatenate().name(p + ".cat").apply(e1, e3);
    }

    private static SymbolicTensor maxPoolCeil(SymbolicTensor x, String name) {
        return Modules.maxPoolCeil(x, 3, 2, 0, name);
    }
}
