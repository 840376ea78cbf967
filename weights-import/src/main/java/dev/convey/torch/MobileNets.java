package dev.convey.torch;

import java.util.Map;

import dev.convey.layers.Add;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * torchvision's {@code mobilenet_v2} ({@code torchvision/models/mobilenetv2.py}, width 1.0):
 * <pre>
 *   features.0        3x3/2 conv 32, BN, ReLU6                               224 -> 112
 *   features.1-17     inverted residual blocks (t, c, n, s): (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2)
 *                     (6,96,3,1) (6,160,3,2) (6,320,1,1)
 *   features.18       1x1 conv 1280, BN, ReLU6
 *   avgpool (adaptive 1x1), classifier.0 Dropout(0.2), classifier.1 Linear 1280 -> classes
 * </pre>
 * An inverted residual block: {@code conv.0} 1x1 expansion to t*c_in channels + BN + ReLU6 (absent when t = 1),
 * a 3x3 depthwise conv with the stride + BN + ReLU6, a 1x1 projection ({@code conv.K}) and BN ({@code conv.K+1}),
 * no activation; plus the input when the stride is 1 and the widths agree. Convolutions have no bias.
 *
 * <p>And {@code mobilenet_v3_large}/{@code _small} ({@code mobilenetv3.py}, width 1.0, BatchNorm eps 1e-3,
 * momentum 0.01):
 * <pre>
 *   features.0        3x3/2 conv 16, BN, hardswish
 *   features.1-15 (large) / 1-11 (small)   blocks (in, k, expanded, out, SE, activation, stride) of {@link #LARGE},
 *                     {@link #SMALL}: {@code block.0} 1x1 expansion + BN + act (absent when expanded = in), the
 *                     k x k depthwise conv + BN + act, squeeze-excitation (squeeze to make_divisible(expanded/4),
 *                     ReLU, hardsigmoid) where marked, the 1x1 projection + BN; plus the input when the stride
 *                     is 1 and in = out
 *   features.16 / 12  1x1 conv to 6 x the last width, BN, hardswish
 *   avgpool, classifier.0 Linear 960 -> 1280 (small: 576 -> 1024), .1 hardswish, .2 Dropout(0.2), .3 Linear
 * </pre>
 * PyTorch's hardswish x relu6(x + 3) / 6 and hardsigmoid relu6(x + 3) / 6 are Keras 3's hard_silu and
 * hard_sigmoid.
 */
final class MobileNets {

    /** mobilenet_v3_large: in, kernel, expanded, out, SE (1 = yes), hardswish (1) or ReLU (0), stride. */
    private static final int[][] LARGE = {{16, 3, 16, 16, 0, 0, 1}, {16, 3, 64, 24, 0, 0, 2}, {24, 3, 72, 24, 0, 0, 1},
            {24, 5, 72, 40, 1, 0, 2}, {40, 5, 120, 40, 1, 0, 1}, {40, 5, 120, 40, 1, 0, 1}, {40, 3, 240, 80, 0, 1, 2},
            {80, 3, 200, 80, 0, 1, 1}, {80, 3, 184, 80, 0, 1, 1}, {80, 3, 184, 80, 0, 1, 1}, {80, 3, 480, 112, 1, 1, 1},
            {112, 3, 672, 112, 1, 1, 1}, {112, 5, 672, 160, 1, 1, 2}, {160, 5, 960, 160, 1, 1, 1},
            {160, 5, 960, 160, 1, 1, 1}};
    /** mobilenet_v3_small, as {@link #LARGE}. */
    private static final int[][] SMALL = {{16, 3, 16, 16, 1, 0, 2}, {16, 3, 72, 24, 0, 0, 2}, {24, 3, 88, 24, 0, 0, 1},
            {24, 5, 96, 40, 1, 1, 2}, {40, 5, 240, 40, 1, 1, 1}, {40, 5, 240, 40, 1, 1, 1}, {40, 5, 120, 48, 1, 1, 1},
            {48, 5, 144, 48, 1, 1, 1}, {48, 5, 288, 96, 1, 1, 2}, {96, 5, 576, 96, 1, 1, 1}, {96, 5, 576, 96, 1, 1, 1}};

    private static final int[][] SETTINGS = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private final Modules modules;

    private MobileNets(Modules modules) {
        this.modules = modules;
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        return switch (name) {
            case "mobilenet_v2" -> new MobileNets(new Modules()).build(name, classes, inputShape);
            case "mobilenet_v3_large" -> new MobileNets(new Modules(1e-3, 0.01)).buildV3(name, LARGE, 1280, classes, inputShape);
            case "mobilenet_v3_small" -> new MobileNets(new Modules(1e-3, 0.01)).buildV3(name, SMALL, 1024, classes, inputShape);
            default -> throw new IllegalArgumentException("not a torchvision MobileNet: " + name);
        };
    }

    private TorchvisionModel build(String name, int classes, int[] inputShape) {
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = convBnRelu6(input, 32, 3, 2, "features.0");
        int in = 32;
        int index = 1;
        for (int[] s : SETTINGS) {
            for (int i = 0; i < s[2]; i++) {
                x = invertedResidual(x, in, s[1], i == 0 ? s[3] : 1, s[0], "features." + index++);
                in = s[1];
            }
        }
        x = convBnRelu6(x, 1280, 1, 1, "features." + index);
        x = new GlobalAveragePooling2D().name("avgpool").apply(x);
        x = new Dropout(0.2).name("classifier.0").apply(x);
        modules.add("classifier.1");
        x = new Dense(classes).name("classifier.1").apply(x);
        return new TorchvisionModel(name, new Model(input, x, name), Map.of(), modules.order());
    }

    private SymbolicTensor invertedResidual(SymbolicTensor x, int in, int out, int stride, int t, String p) {
        int hidden = in * t;
        SymbolicTensor y = x;
        int k = 0;
        if (t != 1) {
            y = convBnRelu6(y, hidden, 1, 1, p + ".conv." + k++);
        }
        y = modules.convNormActivation(y, hidden, 3, stride, true, "relu6", p + ".conv." + k++);
        y = modules.conv(y, out, 1, 1, 0, false, p + ".conv." + k);
        y = modules.bn(y, p + ".conv." + (k + 1));
        return stride == 1 && in == out ? new Add().name(p + ".add").apply(x, y) : y;
    }

    /** torchvision's {@code Conv2dNormActivation(k, stride, padding=(k-1)/2, ReLU6)}: MODULE.0, .1, .2. */
    private SymbolicTensor convBnRelu6(SymbolicTensor x, int filters, int k, int stride, String p) {
        return modules.convNormActivation(x, filters, k, stride, false, "relu6", p);
    }

    private TorchvisionModel buildV3(String name, int[][] blocks, int lastChannel, int classes, int[] inputShape) {
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = modules.convNormActivation(input, blocks[0][0], 3, 2, false, "hard_silu", "features.0");
        for (int i = 0; i < blocks.length; i++) {
            x = invertedResidualV3(x, blocks[i], "features." + (i + 1));
        }
        int lastConv = 6 * blocks[blocks.length - 1][3];
        x = modules.convNormActivation(x, lastConv, 1, 1, false, "hard_silu", "features." + (blocks.length + 1));
        x = new GlobalAveragePooling2D().name("avgpool").apply(x);
        modules.add("classifier.0");
        x = new Dense(lastChannel).activation("hard_silu").name("classifier.0").apply(x);
        x = new Dropout(0.2).name("classifier.2").apply(x);
        modules.add("classifier.3");
        x = new Dense(classes).name("classifier.3").apply(x);
        return new TorchvisionModel(name, new Model(input, x, name), Map.of(), modules.order());
    }

    private SymbolicTensor invertedResidualV3(SymbolicTensor x, int[] c, String p) {
        int in = c[0], k = c[1], expanded = c[2], out = c[3], stride = c[6];
        String activation = c[5] == 1 ? "hard_silu" : "relu";
        SymbolicTensor y = x;
        int i = 0;
        if (expanded != in) {
            y = modules.convNormActivation(y, expanded, 1, 1, false, activation, p + ".block." + i++);
        }
        y = modules.convNormActivation(y, expanded, k, stride, true, activation, p + ".block." + i++);
        if (c[4] == 1) {
            y = modules.squeezeExcitation(y, EfficientNets.makeDivisible(expanded / 4), "relu", "hard_sigmoid",
                    p + ".block." + i++);
        }
        y = modules.convNormActivation(y, out, 1, 1, false, null, p + ".block." + i);
        return stride == 1 && in == out ? new Add().name(p + ".add").apply(x, y) : y;
    }
}
