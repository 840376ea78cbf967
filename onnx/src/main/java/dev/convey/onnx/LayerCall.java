package dev.convey.onnx;

import java.util.List;
import java.util.Map;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Shapes;

/**
 * One application of a layer being exported: the graph, the layer, its ONNX input values and the symbolic
 * shapes (without the batch axis, -1 where known only at run time) of its inputs and output.
 */
public final class LayerCall {

    private final OnnxGraph graph;
    private final Layer layer;
    private final List<OnnxGraph.Value> inputs;
    private final List<int[]> inputShapes;
    private final int[] outputShape;
    private Map<String, Object> config;

    LayerCall(OnnxGraph graph, Layer layer, List<OnnxGraph.Value> inputs, List<int[]> inputShapes, int[] outputShape) {
        this.graph = graph;
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        this.inputShapes = List.copyOf(inputShapes);
        this.outputShape = outputShape.clone();
    }

    public OnnxGraph graph() {
        return graph;
    }

    public Layer layer() {
        return layer;
    }

    public List<OnnxGraph.Value> inputs() {
        return inputs;
    }

    /** The single input of a one-input layer. */
    public OnnxGraph.Value input() {
        if (inputs.size() != 1) {
            throw failure("takes one input, got " + inputs.size());
        }
        return inputs.get(0);
    }

    /** The shape of input {@code i} without the batch axis. */
    public int[] inputShape(int i) {
        return inputShapes.get(i).clone();
    }

    /** The output shape without the batch axis. */
    public int[] outputShape() {
        return outputShape.clone();
    }

    /** The output's rank with the batch axis (the rank of its ONNX value). */
    public int outputRank() {
        return outputShape.length + 1;
    }

    /** A name for a node of this layer: {@code block1_conv1/Conv}. */
    public String stem(String what) {
        return layer.name() + "/" + what;
    }

    // ---------------------------------------------------------------- configuration and weights

    /** Keras' {@code layer.get_config()}: the settings under their Keras names. */
    public Map<String, Object> config() {
        if (config == null) {
            config = layer.getConfig();
        }
        return config;
    }

    public String string(String key) {
        Object v = require(key);
        if (!(v instanceof String s)) {
            throw failure("config '" + key + "' should be a string, got " + v);
        }
        return s;
    }

    public double number(String key) {
        Object v = require(key);
        if (!(v instanceof Number n)) {
            throw failure("config '" + key + "' should be a number, got " + v);
        }
        return n.doubleValue();
    }

    public boolean bool(String key) {
        Object v = require(key);
        if (!(v instanceof Boolean b)) {
            throw failure("config '" + key + "' should be true or false, got " + v);
        }
        return b;
    }

    /** An int list ({@code strides: [2, 2]}); a single number stands for itself repeated {@code length} times. */
    public int[] ints(String key, int length) {
        Object v = require(key);
        int[] out = new int[length];
        if (v instanceof Number n) {
            java.util.Arrays.fill(out, n.intValue());
            return out;
        }
        if (!(v instanceof List<?> list) || list.size() != length) {
            throw failure("config '" + key + "' should be " + length + " ints, got " + v);
        }
        for (int i = 0; i < length; i++) {
            if (!(list.get(i) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw failure("config '" + key + "' should be " + length + " ints, got " + v);
            }
            out[i] = ((Number) list.get(i)).intValue();
        }
        return out;
    }

    private Object require(String key) {
        if (!config().containsKey(key)) {
            throw failure("has no config entry '" + key + "'");
        }
        return config().get(key);
    }

    /** The weight Keras calls {@code name} ({@code kernel}, {@code moving_mean}), or null if the layer has none. */
    public Parameter weight(String name) {
        for (Parameter p : layer.weights()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** The weight {@code name}, which the layer must have. */
    public Parameter requiredWeight(String name) {
        Parameter p = weight(name);
        if (p == null) {
            throw failure("has no weight '" + name + "'");
        }
        return p;
    }

    /** An error naming the layer and its input shapes. */
    public IllegalArgumentException failure(String what) {
        StringBuilder shapes = new StringBuilder();
        for (int[] s : inputShapes) {
            shapes.append(shapes.length() == 0 ? "" : ", ").append(Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, s)));
        }
        return new IllegalArgumentException("ONNX export of layer '" + layer.name() + "' (" + layer.className()
                + ", input " + shapes + "): " + what);
    }
}
