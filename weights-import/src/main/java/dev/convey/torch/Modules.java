package dev.convey.torch;

import java.util.ArrayList;
import java.util.List;

import dev.convey.layers.Activation;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.Multiply;
import dev.convey.layers.Reshape;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.SymbolicTensor;

/**
 * PyTorch's modules as Convey layers named by their module path, recording the weighted ones in the order
 * torchvision registers them (the order of its state_dict). PyTorch pads symmetrically, so a strided
 * convolution is {@link ZeroPadding2D} + a valid convolution; for stride 1 and padding (k-1)/2 that is
 * exactly "same", which needs no extra layer.
 */
final class Modules {

    /** torchvision's BatchNorm2d: eps 1e-5, momentum 0.1 (Keras' 0.9). */
    static final double BN_EPSILON = 1e-5;

    private final List<String> order = new ArrayList<>();
    private final double epsilon;
    private final double momentum;

    /** BatchNorm2d with PyTorch's defaults, eps 1e-5 and momentum 0.1. */
    Modules() {
        this(BN_EPSILON, 0.1);
    }

    /**
     * {@code partial(nn.BatchNorm2d, eps=epsilon, momentum=torchMomentum)}: PyTorch's momentum weighs the new
     * batch (running = (1 - m) running + m batch), Keras' the old one, so Keras' momentum is 1 - m.
     */
    Modules(double epsilon, double torchMomentum) {
        this.epsilon = epsilon;
        this.momentum = 1 - torchMomentum;
    }

    /** The weighted layers' names, in module order. */
    List<String> order() {
        return order;
    }

    /** Records a weighted layer created outside (a Linear). */
    void add(String name) {
        order.add(name);
    }

    /** {@code nn.Conv2d(filters, k, stride, padding, bias)}. */
    SymbolicTensor conv(SymbolicTensor x, int filters, int k, int stride, int padding, boolean bias, String name) {
        return conv(x, filters, new int[] {k, k}, stride, new int[] {padding, padding}, bias, name);
    }

    /** {@code nn.Conv2d(filters, (kh, kw), stride, (ph, pw), bias)}: inception's 1x7, 7x1, 1x3 and 3x1 kernels. */
    SymbolicTensor conv(SymbolicTensor x, int filters, int[] k, int stride, int[] padding, boolean bias, String name) {
        order.add(name);
        Conv2D conv = new Conv2D(filters, k).strides(stride).useBias(bias);
        if (stride == 1 && 2 * padding[0] == k[0] - 1 && 2 * padding[1] == k[1] - 1) {
            return conv.padding("same").name(name).apply(x);
        }
        return conv.name(name).apply(pad(x, padding, name));
    }

    /** {@code nn.Conv2d(c, c, k, stride, padding, groups=c, bias=False)}: a depthwise convolution. */
    SymbolicTensor depthwise(SymbolicTensor x, int k, int stride, int padding, String name) {
        order.add(name);
        DepthwiseConv2D conv = new DepthwiseConv2D(k).strides(stride).useBias(false);
        if (stride == 1 && 2 * padding == k - 1) {
            return conv.padding("same").name(name).apply(x);
        }
        return conv.name(name).apply(pad(x, new int[] {padding, padding}, name));
    }

    private static SymbolicTensor pad(SymbolicTensor x, int[] padding, String name) {
        return padding[0] > 0 || padding[1] > 0 ? new ZeroPadding2D(padding).name(name + ".pad").apply(x) : x;
    }

    /** {@code nn.BatchNorm2d} with this builder's eps and momentum. */
    SymbolicTensor bn(SymbolicTensor x, String name) {
        order.add(name);
        return new BatchNormalization().epsilon(epsilon).momentum(momentum).name(name).apply(x);
    }

    /**
     * torchvision's {@code SqueezeExcitation(channels, squeeze, activation, scale_activation)} (ops/misc.py),
     * modules {@code MODULE.fc1}, {@code MODULE.fc2} (1x1 convolutions with bias):
     * {@code x * scale(fc2(activation(fc1(avgpool(x)))))}, the (1, 1, C) scale broadcast over the pixels.
     */
    SymbolicTensor squeezeExcitation(SymbolicTensor x, int squeeze, String activation, String scale, String p) {
        int channels = x.shape()[2];
        SymbolicTensor s = new GlobalAveragePooling2D().name(p + ".avgpool").apply(x);
        s = new Reshape(1, 1, channels).name(p + ".avgpool.reshape").apply(s);   // as Keras' EfficientNet, not keepdims
        order.add(p + ".fc1");
        s = new Conv2D(squeeze, 1).activation(activation).name(p + ".fc1").apply(s);
        order.add(p + ".fc2");
        s = new Conv2D(channels, 1).activation(scale).name(p + ".fc2").apply(s);
        return new Multiply().name(p + ".scale").apply(x, s);
    }

    /** torchvision's {@code Conv2dNormActivation(k, stride, padding=(k-1)/2, groups=1 or all, bias=False)}: .0, .1, .2. */
    SymbolicTensor convNormActivation(SymbolicTensor x, int filters, int k, int stride, boolean depthwise,
            String activation, String p) {
        SymbolicTensor y = depthwise ? depthwise(x, k, stride, (k - 1) / 2, p + ".0")
                : conv(x, filters, k, stride, (k - 1) / 2, false, p + ".0");
        y = bn(y, p + ".1");
        return activation == null ? y : activation(activation, p + ".2").apply(y);
    }

    static Layer activation(String function, String name) {
        return new Activation(function).name(name);
    }

    /**
     * {@code nn.MaxPool2d(k, stride, padding, ceil_mode=True)} on a ReLU's output (inputs >= 0). Ceil mode gives
     * ceil((H + 2p - k) / s) + 1 rows, less one if the last window would start in the bottom padding, the last
     * window hanging over the edge; PyTorch fills padding and overhang with -inf, which for inputs >= 0 (every
     * window holds at least one real pixel) is the same as zeros: so zero padding, p at the top and left and
     * what the last window needs at the bottom and right, then a valid max pool.
     */
    static SymbolicTensor maxPoolCeil(SymbolicTensor x, int k, int stride, int padding, String name) {
        int[][] pads = new int[2][];
        for (int axis = 0; axis < 2; axis++) {
            int size = x.shape()[axis];
            int out = Math.floorDiv(size + 2 * padding - k + stride - 1, stride) + 1;
            if ((out - 1) * stride >= size + padding) {
                out--;
            }
            pads[axis] = new int[] {padding, (out - 1) * stride + k - size - padding};
        }
        boolean none = pads[0][0] == 0 && pads[0][1] == 0 && pads[1][0] == 0 && pads[1][1] == 0;
        SymbolicTensor padded = none ? x : new ZeroPadding2D(pads).name(name + ".ceil_pad").apply(x);
        return new MaxPooling2D(k).strides(stride).name(name).apply(padded);
    }

    /** {@code nn.ReLU} as a layer of that module name. */
    static SymbolicTensor relu(SymbolicTensor x, String name) {
        return activation("relu", name).apply(x);
    }
}
