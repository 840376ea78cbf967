package dev.convey.onnx;

import java.nio.FloatBuffer;
import java.util.List;

import dev.convey.tensor.Tensor;

/** Layers computing each element from itself: ReLU (with its options), Rescaling, Normalization. */
final class ElementwiseExporters {

    private ElementwiseExporters() {
    }

    static void register() {
        LayerExporters.register("ReLU", ElementwiseExporters::relu);
        LayerExporters.register("Rescaling", ElementwiseExporters::rescaling);
        LayerExporters.register("Normalization", ElementwiseExporters::normalization);
    }

    /**
     * Keras 3's ReLU layer, t the threshold, a the negative slope, m the max value:
     * <pre>
     *   p = t != 0 ? x * [x > t] : max(x, 0);    p = clip(p, 0, m) when m is given;    y = p - a * max(t - x, 0)
     * </pre>
     * each step only where its option is set, so {@code ReLU(6.)} is one Clip.
     */
    private static OnnxGraph.Value relu(LayerCall call) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value x = call.input();
        Object max = call.config().get("max_value");
        float slope = (float) call.number("negative_slope");
        float threshold = (float) call.number("threshold");
        String zero = g.scalar(call.stem("zero"), 0f);
        OnnxGraph.Value p;
        if (threshold != 0) {
            OnnxGraph.Value above = g.op("Greater", call.stem("Greater")).input(x).input(g.scalar(call.stem("threshold"), threshold))
                    .output(x);
            p = g.op("Where", call.stem("Where")).input(above).input(x).input(zero).output(x);
        } else if (max != null && slope == 0) {
            p = x;   // the clip below is max(x, 0) and min(., m) at once
        } else {
            p = g.op("Relu", call.stem("Relu")).input(x).output(x);
        }
        if (max != null) {
            if (!(max instanceof Number m)) {
                throw call.failure("config 'max_value' should be a number or null, got " + max);
            }
            p = g.op("Clip", call.stem("Clip")).input(p).input(zero).input(g.scalar(call.stem("max_value"), m.floatValue()))
                    .output(x);
        }
        if (slope == 0) {
            return p;
        }
        OnnxGraph.Value below = g.op("Relu", call.stem("Relu")).input(
                g.op("Sub", call.stem("Sub")).input(g.scalar(call.stem("threshold"), threshold)).input(x).output(x)).output(x);
        OnnxGraph.Value leak = g.op("Mul", call.stem("Mul")).input(below).input(g.scalar(call.stem("negative_slope"), slope))
                .output(x);
        return g.op("Sub", call.stem("Sub")).input(p).input(leak).output(x);
    }

    /**
     * {@code y = x * scale + offset}, in whatever layout x is; a per-channel scale (a list in the config, Keras'
     * broadcast against the last axis) is a 1-D initializer broadcast over x in channels-last order.
     */
    private static OnnxGraph.Value rescaling(LayerCall call) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value x = call.input();
        String scale;
        if (call.config().get("scale") instanceof List<?> list) {
            x = g.channelsLast(x);
            float[] scales = new float[list.size()];
            for (int c = 0; c < scales.length; c++) {
                if (!(list.get(c) instanceof Number n)) {
                    throw call.failure("config 'scale' should be a number or a list of numbers, got " + list);
                }
                scales[c] = n.floatValue();
            }
            scale = g.initializer(call.stem("scale"), new int[] {scales.length}, FloatBuffer.wrap(scales));
        } else {
            scale = g.scalar(call.stem("scale"), (float) call.number("scale"));
        }
        OnnxGraph.Value scaled = g.op("Mul", call.stem("Mul")).input(x).input(scale).output(x);
        return g.op("Add", call.stem("Add")).input(scaled).input(g.scalar(call.stem("offset"), (float) call.number("offset")))
                .output(x);
    }

    /**
     * Keras 3's Normalization on the last axis: {@code y = (x - mean) * inv}, inv = 1 / max(sqrt(variance), 1e-7)
     * computed as the layer computes it, both broadcast over Keras' last axis (so x in channels-last order).
     */
    private static OnnxGraph.Value normalization(LayerCall call) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value x = g.channelsLast(call.input());
        Tensor mean = call.requiredWeight("mean").value();
        float[] variance = call.requiredWeight("variance").value().toArray();
        float[] inv = new float[variance.length];
        for (int c = 0; c < inv.length; c++) {
            inv[c] = (float) (1.0 / Math.max(Math.sqrt(variance[c]), 1e-7));
        }
        OnnxGraph.Value centred = g.op("Sub", call.stem("Sub")).input(x)
                .input(g.initializer(call.stem("mean"), mean.shape(), mean.data())).output(x);
        return g.op("Mul", call.stem("Mul")).input(centred)
                .input(g.initializer(call.stem("inverse_deviation"), mean.shape(), FloatBuffer.wrap(inv))).output(x);
    }
}
