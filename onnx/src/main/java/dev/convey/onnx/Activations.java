package dev.convey.onnx;

import java.util.Map;
import java.util.TreeMap;

/**
 * Keras activations (by the name a layer config uses: {@code "relu"}) as ONNX operators. A new activation is
 * one more {@link #register} call.
 */
public final class Activations {

    /** Adds the nodes computing {@code f(x)} element-wise (softmax: over Keras' last axis). */
    @FunctionalInterface
    public interface ActivationExporter {
        OnnxGraph.Value apply(OnnxGraph graph, OnnxGraph.Value x, String stem);
    }

    private static final Map<String, ActivationExporter> BY_NAME = new TreeMap<>();

    static {
        register("linear", (g, x, stem) -> x);
        register("relu", unary("Relu"));
        register("sigmoid", unary("Sigmoid"));
        register("tanh", unary("Tanh"));
        // Keras' softmax normalises the last axis, which is axis 1 of a channels-first value.
        register("softmax", (g, x, stem) -> g.op("Softmax", stem + "/Softmax").input(x)
                .attribute("axis", x.isChannelsFirst() ? 1L : -1L).output(x));
    }

    private Activations() {
    }

    /** An activation that is the single ONNX operator {@code opType}. */
    public static ActivationExporter unary(String opType) {
        return (g, x, stem) -> g.op(opType, stem + "/" + opType).input(x).output(x);
    }

    public static synchronized void register(String kerasName, ActivationExporter exporter) {
        BY_NAME.put(kerasName, exporter);
    }

    /** {@code activation(x)} for the activation of {@code call}'s layer called {@code kerasName}. */
    static synchronized OnnxGraph.Value apply(LayerCall call, String kerasName, OnnxGraph.Value x) {
        ActivationExporter e = BY_NAME.get(kerasName);
        if (e == null) {
            throw call.failure("activation '" + kerasName + "' has no ONNX exporter; known: " + BY_NAME.keySet());
        }
        return e.apply(call.graph(), x, call.layer().name());
    }
}
