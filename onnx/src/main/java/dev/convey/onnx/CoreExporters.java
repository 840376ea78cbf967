package dev.convey.onnx;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.convey.layers.Parameter;

/** Dense, Activation, BatchNormalization, Add, Concatenate, Flatten and Dropout. */
final class CoreExporters {

    /** Keras axis (with batch) of an NHWC value -> the same axis of its NCHW form. */
    private static final long[] NHWC_TO_NCHW_AXIS = {0, 2, 3, 1};

    private CoreExporters() {
    }

    static void register() {
        LayerExporters.register("Dense", CoreExporters::dense);
        LayerExporters.register("Activation", call -> Activations.apply(call, call.string("activation"), call.input()));
        LayerExporters.register("BatchNormalization", CoreExporters::batchNormalization);
        LayerExporters.register("Add", CoreExporters::add);
        LayerExporters.register("Multiply", CoreExporters::multiply);
        LayerExporters.register("Reshape", CoreExporters::reshape);
        LayerExporters.register("Concatenate", CoreExporters::concatenate);
        LayerExporters.register("Flatten", CoreExporters::flatten);
        // Inverted dropout is the identity at inference, which is all an exported graph does.
        LayerExporters.register("Dropout", LayerCall::input);
    }

    /**
     * Keras' Dense on the last axis: {@code y = act(x W + b)}, W of shape (in, units). On a matrix this is ONNX
     * Gemm (B = W as stored); on higher ranks MatMul then Add, in Keras' channels-last order.
     */
    private static OnnxGraph.Value dense(LayerCall call) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value x = g.channelsLast(call.input());
        Parameter kernel = call.requiredWeight("kernel");
        Parameter bias = call.weight("bias");
        String w = g.initializer(call.stem("kernel"), kernel.value().shape(), kernel.value().data());
        String b = bias == null ? null : g.initializer(call.stem("bias"), bias.value().shape(), bias.value().data());
        OnnxGraph.Value y;
        if (x.rank() == 2) {
            OnnxGraph.Node gemm = g.op("Gemm", call.stem("Gemm")).input(x).input(w);
            if (b != null) {
                gemm.input(b);
            }
            y = gemm.output(x);
        } else {
            y = g.op("MatMul", call.stem("MatMul")).input(x).input(w).output(x);
            if (b != null) {
                y = g.op("Add", call.stem("BiasAdd")).input(y).input(b).output(y);
            }
        }
        return Activations.apply(call, call.string("activation"), y);
    }

    /**
     * Inference batch normalisation on the channel axis: {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}
     * (gamma 1 without {@code scale}, beta 0 without {@code center}). ONNX's BatchNormalization wants the
     * channels on axis 1: NCHW for images, (N, C) for vectors.
     */
    private static OnnxGraph.Value batchNormalization(LayerCall call) {
        OnnxGraph g = call.graph();
        int rank = call.outputRank();
        int axis = (int) call.number("axis");
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank) {
            throw call.failure("axis " + axis + " is not a non-batch axis of the input");
        }
        if ((rank == 4 || rank == 2) && a == rank - 1) {
            return onChannelAxis(call, rank == 4 ? g.channelsFirst(call.input()) : call.input());
        }
        // another axis: moved to position 1 (where ONNX normalises) of the channels-last value, and back
        long[] perm = new long[rank];
        long[] back = new long[rank];
        perm[1] = a;
        for (int i = 1, o = 2; i < rank; i++) {
            if (i != a) {
                perm[o++] = i;
            }
        }
        for (int i = 0; i < rank; i++) {
            back[(int) perm[i]] = i;
        }
        OnnxGraph.Value x = g.channelsLast(call.input());
        OnnxGraph.Value moved = g.op("Transpose", call.stem("Transpose")).input(x).attribute("perm", perm).output(x);
        return g.op("Transpose", call.stem("Transpose")).input(onChannelAxis(call, moved)).attribute("perm", back).output(x);
    }

    private static OnnxGraph.Value onChannelAxis(LayerCall call, OnnxGraph.Value x) {
        OnnxGraph g = call.graph();
        Parameter mean = call.requiredWeight("moving_mean");
        int[] channels = mean.value().shape();
        return g.op("BatchNormalization", call.stem("BatchNormalization")).input(x)
                .input(weightOr(call, "gamma", channels, 1f)).input(weightOr(call, "beta", channels, 0f))
                .input(g.initializer(call.stem("moving_mean"), channels, mean.value().data()))
                .input(weightInitializer(call, call.requiredWeight("moving_variance")))
                .attribute("epsilon", (float) call.number("epsilon"))
                .output(x);
    }

    private static String weightOr(LayerCall call, String name, int[] shape, float constant) {
        Parameter p = call.weight(name);
        if (p != null) {
            return weightInitializer(call, p);
        }
        float[] values = new float[shape[0]];
        java.util.Arrays.fill(values, constant);
        return call.graph().initializer(call.stem(name), shape, FloatBuffer.wrap(values));
    }

    private static String weightInitializer(LayerCall call, Parameter p) {
        return call.graph().initializer(call.stem(p.name()), p.value().shape(), p.value().data());
    }

    /** The element-wise sum of the inputs, in the first input's layout. */
    private static OnnxGraph.Value add(LayerCall call) {
        OnnxGraph g = call.graph();
        List<OnnxGraph.Value> in = sameLayout(g, call.inputs());
        OnnxGraph.Value sum = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            sum = g.op("Add", call.stem("Add")).input(sum).input(in.get(i)).output(sum);
        }
        return sum;
    }

    /**
     * The element-wise product, in the first input's layout; a (1, 1, C) second input (a squeeze-and-excitation
     * scale) broadcasts over height and width in either layout.
     */
    private static OnnxGraph.Value multiply(LayerCall call) {
        OnnxGraph g = call.graph();
        List<OnnxGraph.Value> in = sameLayout(g, call.inputs());
        OnnxGraph.Value product = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            product = g.op("Mul", call.stem("Mul")).input(product).input(in.get(i)).output(product);
        }
        return product;
    }

    /** Keras' Reshape of the C-order (channels-last) elements: ONNX Reshape to (batch, target_shape...). */
    private static OnnxGraph.Value reshape(LayerCall call) {
        OnnxGraph g = call.graph();
        int[] target = call.outputShape();
        long[] shape = new long[target.length + 1];
        shape[0] = 0;   // ONNX: 0 copies the input's dimension (the batch)
        for (int i = 0; i < target.length; i++) {
            shape[i + 1] = target[i];
        }
        return g.op("Reshape", call.stem("Reshape")).input(g.channelsLast(call.input()))
                .input(g.int64Initializer(call.stem("shape"), shape)).output(shape.length, OnnxGraph.Layout.CHANNELS_LAST);
    }

    /** Joins the inputs along Keras' {@code axis}, which moves when the inputs are channels-first. */
    private static OnnxGraph.Value concatenate(LayerCall call) {
        OnnxGraph g = call.graph();
        int rank = call.outputRank();
        int axis = (int) call.number("axis");
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank) {
            throw call.failure("axis " + axis + " is outside the inputs' " + rank + " axes (or the batch axis)");
        }
        List<OnnxGraph.Value> in = sameLayout(g, call.inputs());
        OnnxGraph.Node concat = g.op("Concat", call.stem("Concat"));
        in.forEach(concat::input);
        long onnxAxis = in.get(0).isChannelsFirst() ? NHWC_TO_NCHW_AXIS[a] : a;
        return concat.attribute("axis", onnxAxis).output(in.get(0));
    }

    /** Keras' Flatten of channels_last data: the NHWC order, so a channels-first value is transposed back first. */
    private static OnnxGraph.Value flatten(LayerCall call) {
        OnnxGraph g = call.graph();
        return g.op("Flatten", call.stem("Flatten")).input(g.channelsLast(call.input())).attribute("axis", 1L)
                .output(2, OnnxGraph.Layout.CHANNELS_LAST);
    }

    /** The values in the first one's layout (4-D values only change layout). */
    static List<OnnxGraph.Value> sameLayout(OnnxGraph g, List<OnnxGraph.Value> values) {
        OnnxGraph.Layout layout = values.get(0).layout();
        List<OnnxGraph.Value> out = new ArrayList<>();
        for (OnnxGraph.Value v : values) {
            out.add(v.rank() == 4 ? g.inLayout(v, layout) : v);
        }
        return out;
    }
}
