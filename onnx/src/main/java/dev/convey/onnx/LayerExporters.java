package dev.convey.onnx;

import java.util.Map;
import java.util.TreeMap;

import dev.convey.models.Model;

/**
 * The exporters by Keras class name ({@code Layer.className()}): {@code "Conv2D"}, {@code "Dense"} ... A layer
 * type added to Convey becomes exportable with one {@link #register} call (for Convey's own layers, in the
 * {@code register()} of the exporter file of its family).
 */
public final class LayerExporters {

    private static final Map<String, LayerExporter> BY_CLASS_NAME = new TreeMap<>();

    static {
        ConvolutionExporters.register();
        PoolingExporters.register();
        CoreExporters.register();
        ElementwiseExporters.register();
        PreprocessingExporters.register();
        // A nested model (a Model is a layer) is inlined: its inputs are bound to the call's inputs.
        for (String model : new String[] {"Model", "Functional", "Sequential"}) {
            register(model, call -> OnnxExport.inline(call.graph(), (Model) call.layer(), call.inputs()));
        }
    }

    private LayerExporters() {
    }

    /** Registers (or replaces) the exporter of the layers whose Keras class name is {@code className}. */
    public static synchronized void register(String className, LayerExporter exporter) {
        BY_CLASS_NAME.put(className, exporter);
    }

    /** The exporter of {@code call}'s layer, or an error listing the layer types that can be exported. */
    static synchronized LayerExporter forCall(LayerCall call) {
        LayerExporter e = BY_CLASS_NAME.get(call.layer().className());
        if (e == null) {
            throw call.failure("no ONNX exporter for " + call.layer().className() + "; exportable layers: "
                    + String.join(", ", BY_CLASS_NAME.keySet()));
        }
        return e;
    }
}
