package dev.convey.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys every Keras {@code get_config()} starts with ({@code name}, {@code trainable}, {@code dtype}) and int
 * tuples as config values, for the layers added with the applications (DepthwiseConv2D, SeparableConv2D, ReLU,
 * Reshape, Multiply, Rescaling, Normalization) until {@code Layer.getConfig()} provides them to every layer.
 */
final class ZooLayerConfig {

    private ZooLayerConfig() {
    }

    static Map<String, Object> base(Layer layer) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", layer.name());
        c.put("trainable", layer.isTrainable());
        c.put("dtype", "float32");
        return c;
    }

    static List<Integer> list(int... values) {
        List<Integer> out = new ArrayList<>(values.length);
        for (int v : values) {
            out.add(v);
        }
        return out;
    }
}
