package dev.convey.keras;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

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
            Model model = KerasModelConfig.fromJson(f.root().readString("model_config"),
                    file + ": cannot rebuild the model from model_config");
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
        return KerasModelConfig.fromJson(json, "model JSON");
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
        config.addProperty("trainable", model.isTrainable());
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
                JsonObject kwargs = KerasModelConfig.callKwargs(model.outputOf(l.name()));
                for (SymbolicTensor in : model.outputOf(l.name()).inputs()) {
                    JsonArray ref = tensorReference(in, false);
                    ref.add(kwargs.deepCopy());
                    node.add(ref);
                }
                JsonArray nodes = new JsonArray();
                if (!(l instanceof InputLayer)) {
                    nodes.add(node);
                }
                entry.add("inbound_nodes", nodes);
                layers.add(entry);
            }
            config.add("input_layers", references(model.inputs(), false));
            config.add("output_layers", references(List.of(model.output()), false));
            out.addProperty("class_name", "Functional");
        }
        config.add("layers", layers);
        out.add("config", config);
        return out;
    }

    private static JsonObject layerConfig(Layer layer) {
        return layer instanceof Model nested ? modelConfig(nested) : KerasLayerConfig.toConfig(layer);
    }

    /**
     * {@code [layer name, node index, tensor index]}: every Convey layer is called once and has one output, so
     * both indices are 0, except that Keras numbers a nested Functional model's calls from 1 (node 0 is its own
     * graph), and tf.keras 2.x (Sequential being a Functional there) a nested Sequential's too; Keras 3 numbers
     * a nested Sequential's calls from 0 ({@code keras3}).
     */
    static JsonArray tensorReference(SymbolicTensor t, boolean keras3) {
        JsonArray ref = new JsonArray();
        ref.add(t.layer().name());
        boolean firstNodeIsOwnGraph = t.layer() instanceof Model && !(keras3 && t.layer() instanceof Sequential);
        ref.add(firstNodeIsOwnGraph ? 1 : 0);
        ref.add(0);
        return ref;
    }

    static JsonArray references(List<SymbolicTensor> tensors, boolean keras3) {
        JsonArray refs = new JsonArray();
        tensors.forEach(t -> refs.add(tensorReference(t, keras3)));
        return refs;
    }
}
