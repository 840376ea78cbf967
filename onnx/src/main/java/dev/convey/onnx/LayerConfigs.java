package dev.convey.onnx;

import java.lang.reflect.Type;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;

import dev.convey.keras.KerasLayerConfig;
import dev.convey.layers.Layer;

/**
 * A layer's Keras configuration ({@code layer.get_config()}) as plain Java values: String, Double, Boolean,
 * List, Map, null. It is read from the Keras config writer, the one place in Convey that knows each layer's
 * settings under Keras' names; when {@code Layer.getConfig()} exists it takes this method's place.
 */
final class LayerConfigs {

    private static final Type MAP = new TypeToken<Map<String, Object>>() { }.getType();
    private static final Gson GSON = new Gson();

    private LayerConfigs() {
    }

    static Map<String, Object> of(Layer layer) {
        JsonObject classAndConfig = KerasLayerConfig.toConfig(layer);
        return GSON.fromJson(classAndConfig.getAsJsonObject("config"), MAP);
    }
}
