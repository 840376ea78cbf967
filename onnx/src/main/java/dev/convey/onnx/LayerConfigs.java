package dev.convey.onnx;

import java.util.Map;

import dev.convey.layers.Layer;

/** A layer's Keras configuration ({@code layer.get_config()}): String, Number, Boolean, List, Map, null values. */
final class LayerConfigs {

    private LayerConfigs() {
    }

    static Map<String, Object> of(Layer layer) {
        return layer.getConfig();
    }
}
