package dev.convey.torch;

import java.util.ArrayList;
import java.util.List;

import dev.convey.layers.Activation;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Layer;
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
        order.add(name);
        Conv2D conv = new Conv2D(filters, k).strides(stride).useBias(bias);
        if (stride == 1 && 2 * padding == k - 1) {
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
        return conv.name(name).apply(pad(x, padding, name));
    }

    private static SymbolicTensor pad(SymbolicTensor x, int padding, String name) {
        return padding > 0 ? new ZeroPadding2D(padding).name(name + ".pad").apply(x) : x;
    }

    /** {@code nn.BatchNorm2d}. */
    SymbolicTensor bn(SymbolicTensor x, String name) {
        order.add(name);
        return new BatchNormalization().epsilon(BN_EPSILON).momentum(0.9).name(name).apply(x);
    }

    static Layer activation(String function, String name) {
        return new Activation(function).name(name);
    }
}
