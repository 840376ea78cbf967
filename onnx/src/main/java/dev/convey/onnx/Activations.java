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
        register("softplus", unary("Softplus"));
        register("softsign", unary("Softsign"));
        register("exponential", unary("Exp"));
        register("elu", (g, x, stem) -> g.op("Elu", stem + "/Elu").input(x).attribute("alpha", 1f).output(x));
        // Keras' constants (ONNX's defaults differ in the last digits).
        register("selu", (g, x, stem) -> g.op("Selu", stem + "/Selu").input(x).attribute("alpha", 1.67326324f)
                .attribute("gamma", 1.05070098f).output(x));
        register("leaky_relu", (g, x, stem) -> g.op("LeakyRelu", stem + "/LeakyRelu").input(x).attribute("alpha", 0.2f)
                .output(x));
        register("relu6", (g, x, stem) -> g.op("Clip", stem + "/Clip").input(x).input(g.scalar(stem + "/zero", 0f))
                .input(g.scalar(stem + "/six", 6f)).output(x));
        // Keras 3's hard_sigmoid is relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1).
        register("hard_sigmoid", (g, x, stem) -> hardSigmoid(g, x, stem));
        register("hard_silu", (g, x, stem) -> multiply(g, x, hardSigmoid(g, x, stem), stem));
        register("hard_swish", (g, x, stem) -> multiply(g, x, hardSigmoid(g, x, stem), stem));
        register("silu", (g, x, stem) -> multiply(g, x, unary("Sigmoid").apply(g, x, stem), stem));
        register("swish", (g, x, stem) -> multiply(g, x, unary("Sigmoid").apply(g, x, stem), stem));
        register("mish", (g, x, stem) -> multiply(g, x, unary("Tanh").apply(g, unary("Softplus").apply(g, x, stem), stem), stem));
        // gelu, exact (Keras 3's approximate=False): x / 2 (1 + erf(x / sqrt 2)).
        register("gelu", (g, x, stem) -> {
            OnnxGraph.Value erf = unary("Erf").apply(g, g.op("Div", stem + "/Div").input(x)
                    .input(g.scalar(stem + "/sqrt2", (float) Math.sqrt(2))).output(x), stem);
            OnnxGraph.Value onePlus = g.op("Add", stem + "/Add").input(erf).input(g.scalar(stem + "/one", 1f)).output(x);
            OnnxGraph.Value half = g.op("Mul", stem + "/Mul").input(x).input(g.scalar(stem + "/half", 0.5f)).output(x);
            return multiply(g, half, onePlus, stem);
        });
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

    private static OnnxGraph.Value hardSigmoid(OnnxGraph g, OnnxGraph.Value x, String stem) {
        return g.op("HardSigmoid", stem + "/HardSigmoid").input(x).attribute("alpha", 1f / 6).attribute("beta", 0.5f)
                .output(x);
    }

    private static OnnxGraph.Value multiply(OnnxGraph g, OnnxGraph.Value a, OnnxGraph.Value b, String stem) {
        return g.op("Mul", stem + "/Mul").input(a).input(b).output(a);
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
