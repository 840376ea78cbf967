package dev.convey.keras;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonParseException;

import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.models.Sequential;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' full-model HDF5 files ({@code model.save("m.h5")} / {@code keras.models.load_model("m.h5")}):
 * the architecture as JSON in the root attribute {@code model_config}, the weights under {@code model_weights}
 * in the layout of {@link KerasWeights}.
 *
 * <p>The architecture forms read:
 * <ul>
 *   <li>Sequential, Keras 2.0-2.1: {@code {"class_name": "Sequential", "config": [layer, layer, ...]}}, the first
 *       layer carrying {@code batch_input_shape}; later Keras 2: {@code "config": {"name": ..., "layers": [...]}},
 *       possibly starting with an InputLayer.
 *   <li>Functional ({@code "Model"} in Keras 2.0-2.3, {@code "Functional"} later): {@code "layers"}, each with
 *       {@code inbound_nodes} naming the layers it reads ({@code [[["conv2d_1", 0, 0, {}]]]} in Keras 2,
 *       {@code [{"args": [keras tensors with "keras_history"], ...}]} in Keras 3), and
 *       {@code input_layers} / {@code output_layers}.
 *   <li>Nested models: any of these as an entry of {@code layers}.
 * </ul>
 * Layer configs are mapped by {@link KerasLayerConfig}. {@link #save} writes the Keras 2 form (tf.keras 2.4+:
 * "Functional" or "Sequential" with a leading InputLayer), which Keras and this loader both read.
 */
public final class KerasModelFile {

    private KerasModelFile() {
    }

    /** Rebuilds the model from {@code model_config} and loads its weights (by order, as load_model does). */
    public static Model load(Path file) {
        try (Hdf5File f = Hdf5File.open(file)) {
            if (!f.root().hasAttribute("model_config")) {
                throw new Hdf5Exception(file + " has no 'model_config' attribute: it holds weights only. Build the"
                        + " model in code and load them with KerasWeights.load(model, file)");
            }
            Model model;
            try {
                model = fromJson(f.root().readString("model_config"));
            } catch (IllegalArgumentException | IllegalStateException | JsonParseException e) {
                throw new IllegalArgumentException(file + ": cannot rebuild the model from model_config: "
                        + e.getMessage(), e);
            }
            if (f.root().hasGroup("model_weights")) {
                KerasWeights.loadByOrder(model.layers(), f.root().group("model_weights"));
            }
            return model;
        }
    }

    /** Writes {@code model_config} and the weights under {@code model_weights} (temporary file, then rename). */
    public static void save(Model model, Path file) {
        save(model, file, null);
    }

    /** {@link #save(Model, Path)} plus Convey's {@link ModelMetadata} (class names, preprocessing), if not null. */
    public static void save(Model model, Path file, ModelMetadata metadata) {
        String json = toJson(model);
        Hdf5File.writeAtomically(file, root -> {
            if (metadata != null) {
                metadata.writeTo(root);
            }
            root.writeString("model_config", json);
            root.writeString("backend", "tensorflow");
            root.writeString("keras_version", KerasWeights.KERAS_VERSION);
            KerasWeights.saveTo(model.layers(), root.createGroup("model_weights"));
        });
    }

    // ---------------------------------------------------------------- JSON -> model

    /** Builds a model (untrained weights) from Keras' model JSON ({@code model.to_json()}). */
    public static Model fromJson(String json) {
        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        return modelFromConfig(KerasLayerConfig.string(root, "class_name"), root.get("config"));
    }

    /** Sequential, Model or Functional; {@code config} is an array (old Sequential) or an object. */
    static Model modelFromConfig(String className, JsonElement config) {
        return switch (className) {
            case "Sequential" -> sequential(config);
            case "Model", "Functional" -> functional(config.getAsJsonObject());
            default -> throw new IllegalArgumentException("Unsupported model class '" + className
                    + "' (supported: Sequential, Model, Functional)");
        };
    }

    private static Sequential sequential(JsonElement config) {
        JsonArray layers = config.isJsonArray() ? config.getAsJsonArray() : config.getAsJsonObject().getAsJsonArray("layers");
        String name = config.isJsonObject() ? KerasLayerConfig.optionalString(config.getAsJsonObject(), "name") : null;
        Sequential model = new Sequential(name);
        for (int i = 0; i < layers.size(); i++) {
            JsonObject entry = layers.get(i).getAsJsonObject();
            JsonObject layerConfig = entry.getAsJsonObject("config");
            int[] inputShape = i == 0 ? KerasLayerConfig.batchInputShape(layerConfig) : null;
            if (inputShape != null && !"InputLayer".equals(KerasLayerConfig.string(entry, "class_name"))) {
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
    private static Model functional(JsonObject config) {
        Map<String, SymbolicTensor> outputs = new HashMap<>();
        List<JsonObject> pending = new ArrayList<>();
        for (JsonElement e : config.getAsJsonArray("layers")) {
            pending.add(e.getAsJsonObject());
        }
        while (!pending.isEmpty()) {
            List<JsonObject> waiting = new ArrayList<>();
            for (JsonObject entry : pending) {
                List<String> inbound = inboundLayerNames(entry);
                if (outputs.keySet().containsAll(inbound)) {
                    Layer layer = layer(entry);
                    SymbolicTensor out = layer instanceof InputLayer input ? SymbolicTensor.of(input)
                            : layer.apply(inbound.stream().map(outputs::get).toArray(SymbolicTensor[]::new));
                    outputs.put(layer.name(), out);
                } else {
                    waiting.add(entry);
                }
            }
            if (waiting.size() == pending.size()) {
                throw new IllegalArgumentException("The layers " + waiting.stream().map(e -> layerName(e)).toList()
                        + " read layers that do not exist in the model");
            }
            pending = waiting;
        }
        List<SymbolicTensor> inputs = endpoints(config.get("input_layers"), outputs, "input");
        List<SymbolicTensor> outs = endpoints(config.get("output_layers"), outputs, "output");
        if (outs.size() != 1) {
            throw new IllegalArgumentException("The model has " + outs.size() + " outputs; Convey models have one");
        }
        return new Model(inputs, outs.get(0), KerasLayerConfig.optionalString(config, "name"));
    }

    /** A layer entry: a model nested as a layer, or a layer mapped by KerasLayerConfig. */
    private static Layer layer(JsonObject entry) {
        String className = KerasLayerConfig.string(entry, "class_name");
        JsonElement config = entry.get("config");
        if (className.equals("Sequential") || className.equals("Model") || className.equals("Functional")) {
            Model nested = modelFromConfig(className, config);
            if (entry.has("name") && !entry.get("name").getAsString().equals(nested.name())) {
                nested.name(entry.get("name").getAsString());
            }
            return nested;
        }
        return KerasLayerConfig.fromConfig(className, config.getAsJsonObject());
    }

    private static String layerName(JsonObject entry) {
        return entry.has("name") ? entry.get("name").getAsString()
                : KerasLayerConfig.string(entry.getAsJsonObject("config"), "name");
    }

    /**
     * The names of the layers an entry reads. Keras 2: {@code inbound_nodes = [[[name, node, tensor, kwargs], ...]]},
     * one inner list per call. Keras 3: {@code [{"args": [...], "kwargs": {...}}]} with the inputs as
     * {@code __keras_tensor__} objects whose {@code keras_history} is {@code [name, node, tensor]}.
     */
    private static List<String> inboundLayerNames(JsonObject entry) {
        JsonArray nodes = entry.has("inbound_nodes") ? entry.getAsJsonArray("inbound_nodes") : new JsonArray();
        if (nodes.size() > 1) {
            throw new IllegalArgumentException("Layer '" + layerName(entry) + "' is called " + nodes.size()
                    + " times (a shared layer); Convey models apply each layer once");
        }
        List<String> names = new ArrayList<>();
        if (nodes.size() == 1) {
            JsonElement node = nodes.get(0);
            if (node.isJsonObject()) {
                collectKerasHistory(node.getAsJsonObject().get("args"), names);
            } else {
                for (JsonElement input : node.getAsJsonArray()) {
                    names.add(input.getAsJsonArray().get(0).getAsString());
                }
            }
        }
        return names;
    }

    private static void collectKerasHistory(JsonElement e, List<String> names) {
        if (e == null || e.isJsonNull() || e.isJsonPrimitive()) {
            return;
        }
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(item -> collectKerasHistory(item, names));
            return;
        }
        JsonObject o = e.getAsJsonObject();
        if (o.has("config") && o.getAsJsonObject("config").has("keras_history")) {
            names.add(o.getAsJsonObject("config").getAsJsonArray("keras_history").get(0).getAsString());
        }
    }

    /** input_layers / output_layers: {@code [[name, node, tensor], ...]}, or one {@code [name, node, tensor]} (Keras 3). */
    private static List<SymbolicTensor> endpoints(JsonElement spec, Map<String, SymbolicTensor> outputs, String what) {
        JsonArray array = spec.getAsJsonArray();
        List<JsonArray> entries = new ArrayList<>();
        if (!array.isEmpty() && array.get(0).isJsonPrimitive()) {
            entries.add(array);
        } else {
            array.forEach(item -> entries.add(item.getAsJsonArray()));
        }
        List<SymbolicTensor> out = new ArrayList<>();
        for (JsonArray item : entries) {
            String name = item.get(0).getAsString();
            if (!outputs.containsKey(name)) {
                throw new IllegalArgumentException("The model's " + what + " layer '" + name + "' is not among its layers");
            }
            out.add(outputs.get(name));
        }
        return out;
    }

    // ---------------------------------------------------------------- model -> JSON

    /** Keras' {@code model.to_json()} in the Keras 2 (tf.keras 2.4+) form. */
    public static String toJson(Model model) {
        return modelConfig(model).toString();
    }

    /** {@code {"class_name": "Sequential" | "Functional", "config": {...}}}. */
    static JsonObject modelConfig(Model model) {
        JsonObject config = new JsonObject();
        config.addProperty("name", model.name());
        JsonArray layers = new JsonArray();
        JsonObject out = new JsonObject();
        if (model instanceof Sequential) {
            layers.add(layerConfig(model.input().layer()));
            for (Layer l : model.layers()) {
                layers.add(layerConfig(l));
            }
            out.addProperty("class_name", "Sequential");
        } else {
            for (Layer l : model.layers()) {
                JsonObject entry = layerConfig(l);
                entry.addProperty("name", l.name());
                JsonArray node = new JsonArray();
                for (SymbolicTensor in : model.outputOf(l.name()).inputs()) {
                    node.add(tensorReference(in, true));
                }
                JsonArray nodes = new JsonArray();
                if (!(l instanceof InputLayer)) {
                    nodes.add(node);
                }
                entry.add("inbound_nodes", nodes);
                layers.add(entry);
            }
            config.add("input_layers", references(model.inputs()));
            config.add("output_layers", references(List.of(model.output())));
            out.addProperty("class_name", "Functional");
        }
        config.add("layers", layers);
        out.add("config", config);
        return out;
    }

    private static JsonObject layerConfig(Layer layer) {
        return layer instanceof Model nested ? modelConfig(nested) : KerasLayerConfig.toConfig(layer);
    }

    /** {@code [layer name, node index, tensor index(, kwargs)]}: every Convey layer is called once, one output. */
    private static JsonArray tensorReference(SymbolicTensor t, boolean withKwargs) {
        JsonArray ref = new JsonArray();
        ref.add(t.layer().name());
        ref.add(0);
        ref.add(0);
        if (withKwargs) {
            ref.add(new JsonObject());
        }
        return ref;
    }

    private static JsonArray references(List<SymbolicTensor> tensors) {
        JsonArray refs = new JsonArray();
        tensors.forEach(t -> refs.add(tensorReference(t, false)));
        return refs;
    }
}
