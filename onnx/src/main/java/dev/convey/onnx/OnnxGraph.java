package dev.convey.onnx;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph being built (ONNX's {@code GraphProto}, https://onnx.ai/onnx/repo-docs/IR.html): nodes in
 * execution order, the weights as initializers, typed inputs and outputs.
 *
 * <p>Layouts. Convey is NHWC (channels last, as Keras); ONNX's Conv, pooling and BatchNormalization are NCHW.
 * Every value therefore carries its layout: a 4-D value is either {@link Layout#CHANNELS_LAST} (Keras' own
 * order, what the model's inputs and outputs use) or {@link Layout#CHANNELS_FIRST}. An exporter asks for the
 * layout its ONNX operator needs ({@link #channelsFirst}, {@link #channelsLast}); the Transpose is added only
 * where the layout changes, and once per value, so a chain of convolutions stays NCHW throughout.
 */
public final class OnnxGraph {

    /** The order of a value's axes; only 4-D values can be channels-first. */
    public enum Layout { CHANNELS_LAST, CHANNELS_FIRST }

    /** A value of the graph: its ONNX name, rank (with the batch axis) and layout. */
    public record Value(String name, int rank, Layout layout) {
        public boolean isChannelsFirst() {
            return layout == Layout.CHANNELS_FIRST;
        }
    }

    /** ONNX's TensorProto.DataType codes. */
    static final int FLOAT = 1;
    static final int INT64 = 7;

    /** The permutation NHWC to NCHW and back (ONNX Transpose's {@code perm}). */
    private static final long[] TO_CHANNELS_FIRST = {0, 3, 1, 2};
    private static final long[] TO_CHANNELS_LAST = {0, 2, 3, 1};

    private final Protobuf graph = new Protobuf();
    private final List<Protobuf> nodes = new ArrayList<>();
    private final List<Protobuf> initializers = new ArrayList<>();
    private final List<Protobuf> inputs = new ArrayList<>();
    private final List<Protobuf> outputs = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<Value, Value> transposed = new IdentityHashMap<>();

    /** A name not used yet in this graph: {@code stem}, else {@code stem_1}, {@code stem_2} ... */
    public String uniqueName(String stem) {
        String name = stem;
        for (int i = 1; !names.add(name); i++) {
            name = stem + "_" + i;
        }
        return name;
    }

    // ---------------------------------------------------------------- nodes

    /** Starts a node of ONNX operator {@code opType}; {@code stem} names its output. */
    public Node op(String opType, String stem) {
        return new Node(opType, stem);
    }

    /** A node under construction: inputs, attributes, then {@link #output}. */
    public final class Node {
        private final Protobuf proto = new Protobuf();
        private final String stem;

        private Node(String opType, String stem) {
            this.stem = stem;
            proto.string(4, opType);
        }

        public Node input(Value value) {
            return input(value.name());
        }

        /** An input by name (an initializer, or "" for an optional input left out). */
        public Node input(String name) {
            proto.string(1, name);
            return this;
        }

        public Node attribute(String name, long value) {
            return attribute(new Protobuf().string(1, name).varint(20, 2).varint(3, value));
        }

        public Node attribute(String name, float value) {
            return attribute(new Protobuf().string(1, name).varint(20, 1).fixed32Float(2, value));
        }

        public Node attribute(String name, String value) {
            return attribute(new Protobuf().string(1, name).varint(20, 3).string(4, value));
        }

        public Node attribute(String name, long... values) {
            return attribute(new Protobuf().string(1, name).varint(20, 7).packedVarints(8, values));
        }

        private Node attribute(Protobuf attribute) {
            proto.message(5, attribute);
            return this;
        }

        /** Adds the node to the graph; its single output has this rank and layout. */
        public Value output(int rank, Layout layout) {
            String name = uniqueName(stem);
            proto.string(2, name).string(3, name);
            nodes.add(proto);
            return new Value(name, rank, layout);
        }

        /** Adds the node; the output has the first input's rank and layout (element-wise operators). */
        public Value output(Value like) {
            return output(like.rank(), like.layout());
        }
    }

    // ---------------------------------------------------------------- layouts

    /** {@code v} with channels on axis 1 (NCHW); 4-D values only. */
    public Value channelsFirst(Value v) {
        return v.isChannelsFirst() ? v : transpose(v, Layout.CHANNELS_FIRST, TO_CHANNELS_FIRST);
    }

    /** {@code v} in Keras' order (NHWC for 4-D values; any other value already is). */
    public Value channelsLast(Value v) {
        return v.isChannelsFirst() ? transpose(v, Layout.CHANNELS_LAST, TO_CHANNELS_LAST) : v;
    }

    /** {@code v} in {@code layout}. */
    public Value inLayout(Value v, Layout layout) {
        return layout == Layout.CHANNELS_FIRST ? channelsFirst(v) : channelsLast(v);
    }

    private Value transpose(Value v, Layout to, long[] perm) {
        if (v.rank() != 4) {
            throw new IllegalArgumentException("ONNX export: only 4-D values change layout, " + v.name()
                    + " has rank " + v.rank());
        }
        return transposed.computeIfAbsent(v, x -> op("Transpose", x.name() + (to == Layout.CHANNELS_FIRST ? "/nchw" : "/nhwc"))
                .input(x).attribute("perm", perm).output(4, to));
    }

    // ---------------------------------------------------------------- weights, inputs, outputs

    /** A float32 initializer of shape {@code dims} read from {@code data} (C order); returns its name. */
    public String initializer(String stem, int[] dims, FloatBuffer data) {
        String name = uniqueName(stem);
        initializers.add(new Protobuf().packedVarints(1, longs(dims)).varint(2, FLOAT).string(8, name)
                .rawFloats(9, data));
        return name;
    }

    /** A float32 scalar initializer (a constant operand: Clip's bounds, a scale); returns its name. */
    public String scalar(String stem, float value) {
        return initializer(stem, new int[0], FloatBuffer.wrap(new float[] {value}));
    }

    /** A 1-D int64 initializer (shapes, pads); returns its name. */
    public String int64Initializer(String stem, long... values) {
        String name = uniqueName(stem);
        initializers.add(new Protobuf().packedVarints(1, new long[] {values.length}).varint(2, INT64).string(8, name)
                .packedVarints(7, values));
        return name;
    }

    /** A float32 graph input in Keras' layout; {@code shape[i] < 0} is a dimension known only at run time. */
    public Value input(String stem, int[] shapeWithBatch) {
        String name = uniqueName(stem);
        inputs.add(valueInfo(name, shapeWithBatch));
        return new Value(name, shapeWithBatch.length, Layout.CHANNELS_LAST);
    }

    /** Declares {@code v} (in Keras' layout) a graph output. */
    public void output(Value v, int[] shapeWithBatch) {
        if (v.isChannelsFirst()) {
            throw new IllegalArgumentException("ONNX export: output " + v.name() + " must be channels-last");
        }
        outputs.add(valueInfo(v.name(), shapeWithBatch));
    }

    private static Protobuf valueInfo(String name, int[] shape) {
        Protobuf dims = new Protobuf();
        for (int i = 0; i < shape.length; i++) {
            dims.message(1, shape[i] >= 0 ? new Protobuf().varint(1, shape[i])
                    : new Protobuf().string(2, i == 0 ? "batch" : "dim" + i));
        }
        Protobuf tensorType = new Protobuf().varint(1, FLOAT).message(2, dims);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
    }

    /** ONNX's GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12. */
    Protobuf toProto(String name) {
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, name);
        initializers.forEach(t -> graph.message(5, t));
        inputs.forEach(i -> graph.message(11, i));
        outputs.forEach(o -> graph.message(12, o));
        return graph;
    }

    static long[] longs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
