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
 * torchvision's {@code efficientnet_b0} to {@code b7} ({@code torchvision/models/efficientnet.py}), one code
 * scaled by (width, depth, dropout):
 * <pre>
 *   features.0       3x3/2 conv 32w, BN, SiLU
 *   features.1-7     stages of MBConv blocks (expand t, kernel k, stride s, in, out, n): (1,3,1,32,16,1)
 *                    (6,3,2,16,24,2) (6,5,2,24,40,2) (6,3,2,40,80,3) (6,5,1,80,112,3) (6,5,2,112,192,4)
 *                    (6,3,1,192,320,1); widths scaled by w (to multiples of 8), block counts by ceil(n * d)
 *   features.8       1x1 conv to 4 x the last width, BN, SiLU
 *   avgpool (adaptive 1x1), classifier.0 Dropout, classifier.1 Linear
 * </pre>
 * An MBConv block {@code features.S.B.block}: {@code .0} 1x1 expansion conv + BN + SiLU (absent when t = 1),
 * then the k x k depthwise conv with the stride + BN + SiLU, squeeze-excitation (squeeze to max(1, in/4),
 * SiLU, sigmoid), the 1x1 projection + BN; plus the input when the stride is 1 and in = out. The stochastic
 * depth before that sum is the identity in eval mode (and is not applied when Convey trains). BatchNorm:
 * eps 1e-5 for b0-b4, eps 1e-3 and momentum 0.01 for b5-b7, as torchvision builds them.
 */
final class EfficientNets {

    /** (expand ratio, kernel, stride, input channels, output channels, blocks). */
    private static final int[][] STAGES = {{1, 3, 1, 32, 16, 1}, {6, 3, 2, 16, 24, 2}, {6, 5, 2, 24, 40, 2},
            {6, 3, 2, 40, 80, 3}, {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4}, {6, 3, 1, 192, 320, 1}};

    /** b0..b7: width multiplier, depth multiplier, dropout. */
    private static final double[][] SCALING = {{1.0, 1.0, 0.2}, {1.0, 1.1, 0.2}, {1.1, 1.2, 0.3}, {1.2, 1.4, 0.3},
            {1.4, 1.8, 0.4}, {1.6, 2.2, 0.4}, {1.8, 2.6, 0.5}, {2.0, 3.1, 0.5}};

    private final Modules modules;

    private EfficientNets(Modules modules) {
        this.modules = modules;
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        if (!name.matches("efficientnet_b[0-7]")) {
            throw new IllegalArgumentException("not a torchvision EfficientNet: " + name);
        }
        int b = name.charAt(name.length() - 1) - '0';
        Modules modules = b >= 5 ? new Modules(1e-3, 0.01) : new Modules();
        return new EfficientNets(modules).build(name, SCALING[b], classes, inputShape);
    }

    /** torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, at least 8 and at least 0.9 v. */
    static int makeDivisible(double v) {
        int rounded = Math.max(8, (int) (v + 4) / 8 * 8);
        return rounded < 0.9 * v ? rounded + 8 : rounded;
    }

    private TorchvisionModel build(String name, double[] scaling, int classes, int[] inputShape) {
        double width = scaling[0], depth = scaling[1];
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = modules.convNormActivation(input, makeDivisible(32 * width), 3, 2, false, "silu", "features.0");
        for (int s = 0; s < STAGES.length; s++) {
            int[] st = STAGES[s];
            int in = makeDivisible(st[3] * width), out = makeDivisible(st[4] * width);
            int blocks = (int) Math.ceil(st[5] * depth);
            for (int b = 0; b < blocks; b++) {
                x = mbConv(x, b == 0 ? in : out, out, st[0], st[1], b == 0 ? st[2] : 1, "features." + (s + 1) + "." + b);
            }
        }
        int last = 4 * makeDivisible(320 * width);
        x = modules.convNormActivation(x, last, 1, 1, false, "silu", "features." + (STAGES.length + 1));
        x = new GlobalAveragePooling2D().name("avgpool").apply(x);
        x = new Dropout(scaling[2]).name("classifier.0").apply(x);
        modules.add("classifier.1");
        x = new Dense(classes).name("classifier.1").apply(x);
        return new TorchvisionModel(name, new Model(input, x, name), Map.of(), modules.order());
    }

    private SymbolicTensor mbConv(SymbolicTensor x, int in, int out, int expand, int k, int stride, String p) {
        int expanded = makeDivisible(in * (double) expand);
        SymbolicTensor y = x;
        int i = 0;
        if (expanded != in) {
            y = modules.convNormActivation(y, expanded, 1, 1, false, "silu", p + ".block." + i++);
        }
        y = modules.convNormActivation(y, expanded, k, stride, true, "silu", p + ".block." + i++);
        y = modules.squeezeExcitation(y, Math.max(1, in / 4), "silu", "sigmoid", p + ".block." + i++);
        y = modules.convNormActivation(y, out, 1, 1, false, null, p + ".block." + i);
        return stride == 1 && in == out ? new Add().name(p + ".add").apply(x, y) : y;
    }
}
