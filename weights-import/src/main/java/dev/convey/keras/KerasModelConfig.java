package dev.convey.keras;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.models.Sequential;
import dev.convey.models.SymbolicTensor;

/**
 * A Keras model's architecture JSON read into a Convey model, in every form Keras has written: {@code model_config}
 * of legacy HDF5 files (Keras 1, 2, tf.keras 2.x) and {@code config.json} of Keras 3 {@code .keras} zips.
 * <ul>
 *   <li>Sequential, Keras 2.0-2.1: {@code {"class_name": "Sequential", "config": [layer, ...]}}, the first layer
 *       carrying {@code batch_input_shape}; later: {@code "config": {"name": ..., "layers": [...]}}, possibly
 *       starting with an InputLayer ({@code batch_shape} in Keras 3).
 *   <li>Functional ({@code "Model"} in Keras 2.0-2.3, {@code "Functional"} later): {@code layers} with
 *       {@code inbound_nodes}: {@code [[[name, node, tensor, kwargs], ...]]} in Keras 2 (kwargs optional), and
 *       {@code [{"args": [...], "kwargs": {...}}]} in Keras 3 with the inputs as {@code __keras_tensor__}
 *       objects whose {@code keras_history} is {@code [name, node, tensor]} (a list of them for merges);
 *       {@code input_layers} / {@code output_layers} as {@code [[name, 0, 0], ...]} or one {@code [name, 0, 0]}.
 *   <li>Nested models: any of these as an entry of {@code layers}.
 * </ul>
 * Every value is type-checked ({@link JsonConfig}); the whole tree passes {@link KerasSafeMode} first.
 */
final class KerasModelConfig {

    private KerasModelConfig() {
    }

    /** Parses and builds; every error is an IllegalArgumentException naming {@code file}. */
    static Model fromJson(String json, String file) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ": the model config is not valid JSON: " + e.getMessage());
        }
        return fromJson(root, file);
    }

    static Model fromJson(JsonElement root, String file) {
        KerasSafeMode.check(root, file);
        try {
            JsonConfig top = JsonConfig.of(root, "model config", "the model config");
            return model(top.string("class_name"), top.get("config"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // a check missed: still one clear error naming the file, never a Gson type
            throw new IllegalArgumentException(file + ": malformed model config (" + e + ")", e);
        }
    }

    /** Sequential, Model or Functional; {@code config} is an array (old Sequential) or an object. */
    static Model model(String className, JsonElement config) {
        return switch (className) {
            case "Sequential" -> sequential(config);
            case "Model", "Functional" -> functional(JsonConfig.of(config, className, "its config"));
            default -> throw new IllegalArgumentException("unsupported model class '" + className
                    + "' (supported: Sequential, Model, Functional)");
        };
    }

    private static Sequential sequential(JsonElement config) {
        JsonArray layers;
        String name = null;
        if (config != null && config.isJsonArray()) {
            layers = config.getAsJsonArray();
        } else {
            JsonConfig c = JsonConfig.of(config, "Sequential", "its config");
            layers = c.array("layers");
            name = c.string("name", null);
        }
        Sequential model = new Sequential(name);
        for (int i = 0; i < layers.size(); i++) {
            JsonConfig entry = JsonConfig.of(layers.get(i), "Sequential '" + name + "'", "layer " + i);
            String cls = entry.string("class_name");
            JsonConfig layerConfig = JsonConfig.of(entry.get("config"), cls, "its config");
            int[] inputShape = i == 0 ? KerasLayerConfig.batchInputShape(layerConfig) : null;
            if (inputShape != null && !"InputLayer".equals(cls)) {
                model.add(new InputLayer(inputShape)); // Keras 2 created this InputLayer from batch_input_shape
            }
            model.add(layer(entry));
        }
        return model;
    }

    /**
     * A functional model: layers are created and applied once all the layers they read exist (Keras lists them
     * in such an order, but a second pass costs nothing and tolerates any order).
     */
    private static Model functional(JsonConfig config) {
        Map<String, SymbolicTensor> outputs = new HashMap<>();
        List<JsonConfig> pending = new ArrayList<>();
        JsonArray layers = config.array("layers");
        for (int i = 0; i < layers.size(); i++) {
            pending.add(JsonConfig.of(layers.get(i), "Functional", "layer " + i));
        }
        while (!pending.isEmpty()) {
            List<JsonConfig> waiting = new ArrayList<>();
            for (JsonConfig entry : pending) {
                List<String> inbound = inboundLayerNames(entry);
                if (outputs.keySet().containsAll(inbound)) {
                    Layer layer = layer(entry);
                    SymbolicTensor out = layer instanceof InputLayer input ? input.output()
                            : layer.apply(inbound.stream().map(outputs::get).toArray(SymbolicTensor[]::new));
                    outputs.put(layer.name(), out);
                } else {
                    waiting.add(entry);
                }
            }
            if (waiting.size() == pending.size()) {
                throw new IllegalArgumentException("the layers " + waiting.stream().map(KerasModelConfig::layerName).toList()
                        + " read layers that do not exist in the model");
            }
            pending = waiting;
        }
        List<SymbolicTensor> inputs = endpoints(config, "input_layers", outputs);
        List<SymbolicTensor> outs = endpoints(config, "output_layers", outputs);
        if (outs.size() != 1) {
            throw new IllegalArgumentException("the model has " + outs.size() + " outputs; Convey models have one");
        }
        return new Model(inputs, outs.get(0), config.string("name", null));
    }

    /** A layer entry: a model nested as a layer, or a layer mapped by KerasLayerConfig. */
    private static Layer layer(JsonConfig entry) {
        String className = entry.string("class_name");
        if (className.equals("Sequential") || className.equals("Model") || className.equals("Functional")) {
            Model nested = model(className, entry.get("config"));
            String name = entry.string("name", null);
            if (name != null && !name.equals(nested.name())) {
                nested.name(name);
            }
            return nested;
        }
        return KerasLayerConfig.fromConfig(className, JsonConfig.of(entry.get("config"), className, "its config"));
    }

    private static String layerName(JsonConfig entry) {
        if (entry.has("name")) {
            return entry.string("name");
        }
        JsonElement c = entry.get("config");
        return c != null && c.isJsonObject() ? new JsonConfig(c.getAsJsonObject(), "layer").string("name", "?") : "?";
    }

    /** The names of the layers an entry reads (see the class comment for the forms). */
    private static List<String> inboundLayerNames(JsonConfig entry) {
        JsonArray nodes = entry.has("inbound_nodes") ? entry.array("inbound_nodes") : new JsonArray();
        String where = "layer '" + layerName(entry) + "'";
        if (nodes.size() > 1) {
            throw new IllegalArgumentException(where + " is called " + nodes.size()
                    + " times (a shared layer); Convey models apply each layer once");
        }
        List<String> names = new ArrayList<>();
        if (nodes.size() == 1) {
            JsonElement node = nodes.get(0);
            if (node.isJsonObject()) {
                collectKerasHistory(node.getAsJsonObject().get("args"), names, where);
            } else if (node.isJsonArray()) {
                for (JsonElement input : node.getAsJsonArray()) {
                    names.add(historyName(input, where));
                }
            } else {
                throw new IllegalArgumentException(where + ": inbound node " + JsonConfig.show(node)
                        + " is neither a list nor {\"args\": ..., \"kwargs\": ...}");
            }
        }
        return names;
    }

    /** {@code [name, node, tensor(, kwargs)]}: the name, checked. */
    private static String historyName(JsonElement ref, String where) {
        if (!ref.isJsonArray() || ref.getAsJsonArray().isEmpty()
                || !ref.getAsJsonArray().get(0).isJsonPrimitive()) {
            throw new IllegalArgumentException(where + ": inbound tensor " + JsonConfig.show(ref)
                    + " is not [layer name, node index, tensor index]");
        }
        JsonArray a = ref.getAsJsonArray();
        for (int i = 1; i < Math.min(3, a.size()); i++) {
            if (!a.get(i).isJsonPrimitive() || a.get(i).getAsJsonPrimitive().isNumber() && a.get(i).getAsDouble() != 0) {
                throw new IllegalArgumentException(where + ": inbound tensor " + JsonConfig.show(ref)
                        + " reads node/tensor index other than 0 (shared layers and multi-output layers are not supported)");
            }
        }
        return a.get(0).getAsString();
    }

    private static void collectKerasHistory(JsonElement e, List<String> names, String where) {
        if (e == null || e.isJsonNull() || e.isJsonPrimitive()) {
            return;
        }
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(item -> collectKerasHistory(item, names, where));
            return;
        }
        JsonObject o = e.getAsJsonObject();
        JsonElement config = o.get("config");
        if (config != null && config.isJsonObject() && config.getAsJsonObject().has("keras_history")) {
            names.add(historyName(config.getAsJsonObject().get("keras_history"), where));
        }
    }

    /** input_layers / output_layers: {@code [[name, node, tensor], ...]}, or one {@code [name, node, tensor]}. */
    private static List<SymbolicTensor> endpoints(JsonConfig config, String key, Map<String, SymbolicTensor> outputs) {
        JsonArray array = config.array(key);
        List<JsonElement> entries = new ArrayList<>();
        if (!array.isEmpty() && array.get(0).isJsonPrimitive()) {
            entries.add(array);
        } else {
            array.forEach(entries::add);
        }
        List<SymbolicTensor> out = new ArrayList<>();
        for (JsonElement item : entries) {
            String name = historyName(item, key);
            if (!outputs.containsKey(name)) {
                throw new IllegalArgumentException("the model's " + key + " entry '" + name + "' is not among its layers");
            }
            out.add(outputs.get(name));
        }
        return out;
    }
}
