package dev.convey.torch;

import java.util.Map;

import dev.convey.layers.Add;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.ReLU;
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
 */
final class MobileNets {

    private static final int[][] SETTINGS = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private final Modules modules = new Modules();

    private MobileNets() {
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        if (!name.equals("mobilenet_v2")) {
            throw new IllegalArgumentException("not a torchvision MobileNet: " + name);
        }
        return new MobileNets().build(name, classes, inputShape);
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
        String dw = p + ".conv." + k++;
        y = relu6(modules.bn(modules.depthwise(y, 3, stride, 1, dw + ".0"), dw + ".1"), dw + ".2");
        y = modules.conv(y, out, 1, 1, 0, false, p + ".conv." + k);
        y = modules.bn(y, p + ".conv." + (k + 1));
        return stride == 1 && in == out ? new Add().name(p + ".add").apply(x, y) : y;
    }

    /** torchvision's {@code Conv2dNormActivation(k, stride, padding=(k-1)/2, ReLU6)}: MODULE.0, .1, .2. */
    private SymbolicTensor convBnRelu6(SymbolicTensor x, int filters, int k, int stride, String p) {
        return relu6(modules.bn(modules.conv(x, filters, k, stride, (k - 1) / 2, false, p + ".0"), p + ".1"), p + ".2");
    }

    private static SymbolicTensor relu6(SymbolicTensor x, String name) {
        return new ReLU(6f).name(name).apply(x);
    }
}
