package dev.convey.onnx;

import java.nio.FloatBuffer;

import dev.convey.layers.Padding;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/** Conv2D, DepthwiseConv2D and SeparableConv2D as ONNX Conv, and the window attributes (kernel, strides, TensorFlow's padding) pooling shares. */
final class ConvolutionExporters {

    private ConvolutionExporters() {
    }

    static void register() {
        LayerExporters.register("Conv2D", ConvolutionExporters::conv2d);
        LayerExporters.register("DepthwiseConv2D", ConvolutionExporters::depthwiseConv2d);
        LayerExporters.register("SeparableConv2D", ConvolutionExporters::separableConv2d);
    }

    /**
     * Keras' Conv2D: {@code y = act(conv(x, W) + b)}. ONNX's Conv is NCHW with an OIHW kernel, so the HWIO kernel
     * is transposed once here: {@code W'[o, i, h, w] = W[h, w, i, o]}.
     */
    static OnnxGraph.Value conv2d(LayerCall call) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value x = g.channelsFirst(call.input());
        Parameter kernel = call.requiredWeight("kernel");
        int[] k = call.ints("kernel_size", 2);
        OnnxGraph.Node conv = withBias(call, g.op("Conv", call.stem("Conv")).input(x)
                .input(g.initializer(call.stem("kernel"), oihwShape(kernel.value()), hwioToOihw(kernel.value()))));
        window(conv, call, k, call.ints("strides", 2), call.ints("dilation_rate", 2), call.string("padding"));
        return Activations.apply(call, call.string("activation"), conv.output(4, OnnxGraph.Layout.CHANNELS_FIRST));
    }

    /** The layer's bias, if it has one, as the Conv node's third input. */
    private static OnnxGraph.Node withBias(LayerCall call, OnnxGraph.Node conv) {
        Parameter bias = call.weight("bias");
        if (bias != null) {
            conv.input(call.graph().initializer(call.stem("bias"), bias.value().shape(), bias.value().data()));
        }
        return conv;
    }

    /**
     * Keras' DepthwiseConv2D: each input channel c convolved with its own M = depth_multiplier kernels, output
     * channel c * M + m. That is ONNX's grouped Conv with group = C and a (C * M, 1, kh, kw) kernel:
     * {@code W'[c * M + m, 0, h, w] = K[h, w, c, m]} (the HWCM kernel flattened to HW(CM), then as for Conv2D).
     */
    static OnnxGraph.Value depthwiseConv2d(LayerCall call) {
        OnnxGraph.Node conv = withBias(call, depthwise(call, "Conv"));
        return Activations.apply(call, call.string("activation"), conv.output(4, OnnxGraph.Layout.CHANNELS_FIRST));
    }

    /** The grouped Conv of a depthwise step (without bias), on the layer's input. */
    private static OnnxGraph.Node depthwise(LayerCall call, String stem) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value x = g.channelsFirst(call.input());
        Tensor hwcm = call.requiredWeight("depthwise_kernel").value();
        int[] s = hwcm.shape();
        Tensor hwio = hwcm.reshape(s[0], s[1], 1, s[2] * s[3]);
        OnnxGraph.Node conv = g.op("Conv", call.stem(stem)).input(x)
                .input(g.initializer(call.stem("depthwise_kernel"), oihwShape(hwio), hwioToOihw(hwio)));
        conv.attribute("group", (long) s[2]);
        window(conv, call, call.ints("kernel_size", 2), call.ints("strides", 2), call.ints("dilation_rate", 2),
                call.string("padding"));
        return conv;
    }

    /**
     * Keras' SeparableConv2D: two Conv nodes, the depthwise step as for DepthwiseConv2D (group = C, no bias), then
     * the pointwise step, a 1x1 Conv whose (1, 1, C * M, filters) kernel becomes OIHW as Conv2D's does, with the
     * bias; then the activation.
     */
    static OnnxGraph.Value separableConv2d(LayerCall call) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value z = depthwise(call, "depthwise_Conv").output(4, OnnxGraph.Layout.CHANNELS_FIRST);
        Tensor p = call.requiredWeight("pointwise_kernel").value();
        OnnxGraph.Node conv = withBias(call, g.op("Conv", call.stem("pointwise_Conv")).input(z)
                .input(g.initializer(call.stem("pointwise_kernel"), oihwShape(p), hwioToOihw(p))));
        conv.attribute("kernel_shape", OnnxGraph.longs(new int[] {1, 1}))
                .attribute("strides", OnnxGraph.longs(new int[] {1, 1}))
                .attribute("pads", new long[] {0, 0, 0, 0});
        return Activations.apply(call, call.string("activation"), conv.output(4, OnnxGraph.Layout.CHANNELS_FIRST));
    }

    /**
     * {@code kernel_shape}, {@code strides}, {@code dilations} and {@code pads}. Keras' "same" is TensorFlow's
     * rule: total = max((out - 1) * s + (k - 1) * d + 1 - in, 0), the smaller half before, the extra pixel
     * after; ONNX's pads are {@code [top, left, bottom, right]}. An axis known only at run time uses ONNX's
     * {@code auto_pad = SAME_UPPER}, the same rule.
     */
    static void window(OnnxGraph.Node node, LayerCall call, int[] kernel, int[] strides, int[] dilation, String paddingName) {
        Padding padding = Padding.forName(paddingName, call.layer().name());
        node.attribute("kernel_shape", OnnxGraph.longs(kernel)).attribute("strides", OnnxGraph.longs(strides));
        if (dilation != null) {
            node.attribute("dilations", OnnxGraph.longs(dilation));
        }
        int[] in = call.inputShape(0);
        if (padding == Padding.SAME && (in[0] == Shapes.UNKNOWN || in[1] == Shapes.UNKNOWN)) {
            node.attribute("auto_pad", "SAME_UPPER");
            return;
        }
        long[] pads = new long[4];
        for (int axis = 0; axis < 2; axis++) {
            int d = dilation == null ? 1 : dilation[axis];
            int before = padding.padBefore(in[axis], kernel[axis], strides[axis], d);
            int out = padding.outputSize(in[axis], kernel[axis], strides[axis], d);
            int total = Math.max((out - 1) * strides[axis] + (kernel[axis] - 1) * d + 1 - in[axis], 0);
            pads[axis] = before;
            pads[axis + 2] = padding == Padding.SAME ? total - before : 0;
        }
        node.attribute("pads", pads);
    }

    private static int[] oihwShape(Tensor hwio) {
        int[] s = hwio.shape();
        return new int[] {s[3], s[2], s[0], s[1]};
    }

    /** The HWIO kernel in ONNX's OIHW order. */
    static FloatBuffer hwioToOihw(Tensor hwio) {
        int[] s = hwio.shape();
        int kh = s[0];
        int kw = s[1];
        int in = s[2];
        int out = s[3];
        FloatBuffer w = hwio.data();
        float[] oihw = new float[kh * kw * in * out];
        for (int h = 0; h < kh; h++) {
            for (int x = 0; x < kw; x++) {
                for (int i = 0; i < in; i++) {
                    int from = ((h * kw + x) * in + i) * out;
                    for (int o = 0; o < out; o++) {
                        oihw[((o * in + i) * kh + h) * kw + x] = w.get(from + o);
                    }
                }
            }
        }
        return FloatBuffer.wrap(oihw);
    }
}
