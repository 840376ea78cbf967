package dev.convey.onnx;

/**
 * Writes one Keras layer as ONNX nodes. Exporters are registered by Keras class name in {@link LayerExporters};
 * a new layer type is one more entry there. An exporter reads the layer's settings from its Keras config
 * ({@link LayerCall#config()}) and its weights by Keras name ({@link LayerCall#weight}), never from its Java class.
 */
@FunctionalInterface
public interface LayerExporter {

    /** Adds the nodes computing the layer's output from {@code call.inputs()} and returns that output. */
    OnnxGraph.Value export(LayerCall call);
}
