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
        KerasSafeMode.check(withoutCompileConfig(root), file);
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

    /**
     * The model part of a config.json: {@code compile_config} (optimizer, loss, metrics) builds no layer and is
     * applied apart ({@link KerasCompileConfig#compile}), where a custom class in it is skipped with a note instead
     * of refusing a model that can still run and be fine-tuned.
     */
    private static JsonElement withoutCompileConfig(JsonElement root) {
        if (root == null || !root.isJsonObject() || !root.getAsJsonObject().has("compile_config")) {
            return root;
        }
        JsonObject copy = new JsonObject();
        root.getAsJsonObject().entrySet().stream().filter(e -> !e.getKey().equals("compile_config"))
                .forEach(e -> copy.add(e.getKey(), e.getValue()));
        return copy;
    }

    /** Sequential, Model or Functional; {@code config} is an array (old Sequential) or an object. */
    static Model model(String className, JsonElement config) {
        Model model = switch (className) {
            case "Sequential" -> sequential(config);
            case "Model", "Functional" -> functional(JsonConfig.of(config, className, "its config"));
            default -> throw new IllegalArgumentException("unsupported model class '" + className
                    + "' (supported: Sequential, Model, Functional)");
        };
        // model.trainable = False (a frozen base): the model's own flag, besides its layers' flags
        if (config != null && config.isJsonObject()
                && !new JsonConfig(config.getAsJsonObject(), className + " '" + model.name() + "'").bool("trainable", true)) {
            model.setTrainable(false);
        }
        return model;
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
                List<Ref> inbound = inboundLayers(entry);
                if (inbound.stream().allMatch(r -> outputs.containsKey(r.name()))) {
                    Layer layer = layer(entry);
                    SymbolicTensor[] ins = inbound.stream().map(r -> r.tensor(outputs, layerName(entry)))
                            .toArray(SymbolicTensor[]::new);
                    Boolean training = callTraining(entry);
                    SymbolicTensor out = layer instanceof InputLayer input ? SymbolicTensor.of(input)
                            : layer.apply(training, ins);
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

    /**
     * A reference to a layer's output, {@code [name, node index, tensor index]}. Convey calls each layer once and
     * each has one output, so the tensor index is 0 and the node index 0, except for a nested Functional model
     * (and, in tf.keras 2.x files, a nested Sequential with an input shape): Keras numbers its nodes from 1,
     * node 0 being the model's own graph (keras/src/models/functional.py, {@code node_reindexing_map}).
     */
    record Ref(String name, int node) {

        /** The tensor it reads, checked: node 1 only of a nested model. */
        SymbolicTensor tensor(Map<String, SymbolicTensor> outputs, String reader) {
            SymbolicTensor t = outputs.get(name);
            if (node == 1 && !(t.layer() instanceof Model)) {
                throw new IllegalArgumentException("layer '" + reader + "' reads node 1 of layer '" + name
                        + "', which is not a nested model: a layer called twice (shared layers are not supported)");
            }
            return t;
        }
    }

    /** The layers an entry reads (see the class comment for the forms). */
    private static List<Ref> inboundLayers(JsonConfig entry) {
        JsonArray nodes = entry.has("inbound_nodes") ? entry.array("inbound_nodes") : new JsonArray();
        String where = "layer '" + layerName(entry) + "'";
        if (nodes.size() > 1) {
            throw new IllegalArgumentException(where + " is called " + nodes.size()
                    + " times (a shared layer); Convey models apply each layer once");
        }
        List<Ref> names = new ArrayList<>();
        if (nodes.size() == 1) {
            JsonElement node = nodes.get(0);
            if (node.isJsonObject() && node.getAsJsonObject().has("args")) {
                collectKerasHistory(node.getAsJsonObject().get("args"), names, where);
            } else if (node.isJsonArray() || node.isJsonObject()) {
                keras2References(node).forEach(ref -> names.add(historyName(ref, where)));
            } else {
                throw new IllegalArgumentException(where + ": inbound node " + JsonConfig.show(node)
                        + " is neither a list nor {\"args\": ..., \"kwargs\": ...}");
            }
        }
        return names;
    }

    /**
     * The tensor references {@code [name, node, tensor, kwargs]} of a Keras 2 inbound node, in order, whatever
     * its nesting (tf.keras 2.x's Node.serialize): a list of references ({@code [[a, 0, 0, {}], [b, 0, 0, {}]]}),
     * one reference unwrapped ({@code [a, 0, 0, {}]}, layers that keep their input structure), nested lists, or a
     * dict of them (dict inputs). A list whose first element is a string is one reference.
     */
    private static List<JsonElement> keras2References(JsonElement node) {
        List<JsonElement> out = new ArrayList<>();
        if (node.isJsonArray()) {
            JsonArray a = node.getAsJsonArray();
            if (!a.isEmpty() && a.get(0).isJsonPrimitive()) {
                out.add(a);
            } else {
                a.forEach(e -> out.addAll(keras2References(e)));
            }
        } else if (node.isJsonObject()) {
            node.getAsJsonObject().entrySet().forEach(e -> out.addAll(keras2References(e.getValue())));
        } else {
            out.add(node); // historyName says what is wrong with it
        }
        return out;
    }

    /**
     * The {@code training} argument of a layer's call, if its inbound node has one: {@code kwargs} of the Keras 3
     * node object, or the kwargs (4th element) of the Keras 2 inbound tensors; null when absent or null. Other
     * call arguments ({@code mask}) are not read.
     */
    private static Boolean callTraining(JsonConfig entry) {
        JsonArray nodes = entry.has("inbound_nodes") ? entry.array("inbound_nodes") : new JsonArray();
        if (nodes.size() != 1) {
            return null;
        }
        JsonElement node = nodes.get(0);
        JsonElement kwargs = null;
        if (node.isJsonObject() && node.getAsJsonObject().has("args")) {
            kwargs = node.getAsJsonObject().get("kwargs");
        } else if (node.isJsonArray() || node.isJsonObject()) {
            List<JsonElement> refs = keras2References(node);
            if (!refs.isEmpty() && refs.get(0).isJsonArray() && refs.get(0).getAsJsonArray().size() > 3) {
                kwargs = refs.get(0).getAsJsonArray().get(3);
            }
        }
        if (kwargs == null || !kwargs.isJsonObject()) {
            return null;
        }
        JsonConfig k = new JsonConfig(kwargs.getAsJsonObject(), "layer '" + layerName(entry) + "' call kwargs");
        return k.has("training") ? k.bool("training", false) : null;
    }

    /** The call arguments a Convey call records ({@code {"training": false}} for a fixed mode), for the writers. */
    static JsonObject callKwargs(SymbolicTensor call) {
        JsonObject kwargs = new JsonObject();
        if (call.training() != null) {
            kwargs.addProperty("training", call.training());
        }
        return kwargs;
    }

    /** {@code [name, node, tensor(, kwargs)]}: the name and node index, checked. */
    private static Ref historyName(JsonElement ref, String where) {
        if (!ref.isJsonArray() || ref.getAsJsonArray().isEmpty()
                || !ref.getAsJsonArray().get(0).isJsonPrimitive()) {
            throw new IllegalArgumentException(where + ": inbound tensor " + JsonConfig.show(ref)
                    + " is not [layer name, node index, tensor index]");
        }
        JsonArray a = ref.getAsJsonArray();
        int node = 0;
        for (int i = 1; i < Math.min(3, a.size()); i++) {
            double v = a.get(i).isJsonPrimitive() && a.get(i).getAsJsonPrimitive().isNumber() ? a.get(i).getAsDouble() : -1;
            if (!(v == 0 || i == 1 && v == 1)) {
                throw new IllegalArgumentException(where + ": inbound tensor " + JsonConfig.show(ref)
                        + " reads " + (i == 1 ? "node " : "tensor ") + JsonConfig.show(a.get(i)) + " (shared layers"
                        + " and multi-output layers are not supported: node 0, or 1 of a nested model, and tensor 0)");
            }
            node = i == 1 ? (int) v : node;
        }
        return new Ref(a.get(0).getAsString(), node);
    }

    private static void collectKerasHistory(JsonElement e, List<Ref> names, String where) {
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
            Ref ref = historyName(item, key);
            if (!outputs.containsKey(ref.name())) {
                throw new IllegalArgumentException("the model's " + key + " entry '" + ref.name() + "' is not among its layers");
            }
            out.add(ref.tensor(outputs, key));
        }
        return out;
    }
}
