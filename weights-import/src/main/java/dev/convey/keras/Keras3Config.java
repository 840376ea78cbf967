package dev.convey.keras;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.models.Sequential;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Shapes;

/**
 * {@code config.json} of a Keras 3 {@code .keras} zip, as {@code keras.saving.serialize_keras_object(model)}
 * writes it (keras/src/saving/serialization_lib.py, keras/src/models/functional.py): every object is
 * {@code {"module", "class_name", "config", "registered_name"}} plus {@code build_config} for built layers and
 * {@code compile_config} on a compiled model; the dtype is a {@code DTypePolicy} object; Functional layers carry
 * {@code name} and {@code inbound_nodes = [{"args": [...], "kwargs": {}}]} whose inputs are
 * {@code __keras_tensor__} objects with {@code keras_history = [layer, 0, 0]} (a list of them for merges).
 * Reading goes through {@link KerasModelConfig}, which knows these forms; {@link KerasCompileConfig} writes
 * and applies {@code compile_config}.
 */
final class Keras3Config {

    /**
     * Keras 3 writes {@code build_config} for the layers whose class defines {@code build()}: those with weights,
     * and these (pooling, dropout, activation and padding layers have none).
     */
    private static final java.util.Set<String> BUILT_WITHOUT_WEIGHTS = java.util.Set.of("Flatten", "Add",
            "Concatenate", "Multiply", "Subtract", "Average", "Maximum", "Minimum", "Dot");

    private Keras3Config() {
    }

    // ---------------------------------------------------------------- model -> config.json

    /** The whole {@code config.json} object. */
    static JsonObject toJson(Model model) {
        JsonObject out = object(model);
        JsonElement compile = KerasCompileConfig.toJson(model);
        if (compile != null) {
            out.add("compile_config", compile);
        }
        return out;
    }

    /** One serialised object: a layer, or a nested model. */
    private static JsonObject object(Layer layer) {
        JsonObject o = new JsonObject();
        boolean isModel = layer instanceof Model;
        boolean sequential = layer instanceof Sequential;
        String cls = sequential ? "Sequential" : isModel ? "Functional" : layer.className();
        o.addProperty("module", isModel && !sequential ? "keras.src.models.functional" : isModel ? "keras" : "keras.layers");
        o.addProperty("class_name", cls);
        o.add("config", isModel ? modelConfig((Model) layer) : layerConfig(layer));
        o.add("registered_name", isModel && !sequential ? new com.google.gson.JsonPrimitive("Functional") : JsonNull.INSTANCE);
        if (!(layer instanceof InputLayer) && layer.isBuilt()
                && (isModel || !layer.weights().isEmpty() || BUILT_WITHOUT_WEIGHTS.contains(cls))) {
            int[][] shapes = layer.inputShapes();
            JsonArray list = new JsonArray();
            for (int[] s : shapes) {
                list.add(batchShape(s));
            }
            JsonObject build = new JsonObject();
            build.add("input_shape", shapes.length == 1 ? list.get(0) : list);
            o.add("build_config", build);
        }
        return o;
    }

    /** A layer's {@code getConfig()} with Keras 3's value forms (dtype policy object; InputLayer's batch_shape). */
    private static JsonObject layerConfig(Layer layer) {
        Map<String, Object> c = new LinkedHashMap<>(layer.getConfig());
        if (layer instanceof InputLayer) {
            Map<String, Object> in = new LinkedHashMap<>();
            in.put("batch_shape", c.getOrDefault("batch_input_shape", c.get("batch_shape")));
            in.put("dtype", "float32");
            in.put("sparse", false);
            in.put("ragged", false);
            in.put("name", layer.name());
            return KerasLayerConfig.json(in).getAsJsonObject();
        }
        JsonObject o = KerasLayerConfig.json(c).getAsJsonObject();
        if (o.has("dtype") && o.get("dtype").isJsonPrimitive()) {
            o.add("dtype", dtypePolicy(o.get("dtype").getAsString()));
        }
        addInitializers(layer, o);
        return o;
    }

    /**
     * The initializer each Convey weight is created with, as Keras names it, by weight name (Keras' defaults,
     * which Convey's layers use): {@code kernel} and {@code depthwise_kernel} GlorotUniform, {@code bias} Zeros,
     * BatchNormalization's gamma Ones, beta Zeros, moving statistics Zeros and Ones, PReLU's alpha Zeros.
     */
    private static final java.util.Set<String> CONVOLUTIONS = java.util.Set.of("Conv1D", "Conv2D", "Conv3D",
            "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose");

    private static final Map<String, String> INITIALIZERS = Map.of("kernel", "GlorotUniform",
            "depthwise_kernel", "GlorotUniform", "pointwise_kernel", "GlorotUniform", "bias", "Zeros",
            "gamma", "Ones", "beta", "Zeros", "moving_mean", "Zeros", "moving_variance", "Ones", "alpha", "Zeros");

    /**
     * Keras 3's {@code <weight>_initializer} objects ({@code {"module": "keras.initializers", "class_name":
     * "GlorotUniform", "config": {"seed": null}, "registered_name": null}}) and, for trainable weights, the
     * {@code <weight>_regularizer} and {@code <weight>_constraint} Convey never has (null), where a layer's
     * config does not say them already. {@code depthwise_kernel} is {@code depthwise_initializer}, as in Keras.
     */
    private static void addInitializers(Layer layer, JsonObject config) {
        if (CONVOLUTIONS.contains(layer.className()) && !config.has("activity_regularizer")) {
            config.add("activity_regularizer", JsonNull.INSTANCE); // Keras 3's BaseConv has one, its Dense not
        }
        for (dev.convey.layers.Parameter p : layer.weights()) {
            String initializer = INITIALIZERS.get(p.name());
            if (initializer == null) {
                continue;
            }
            String key = p.name().endsWith("_kernel") ? p.name().substring(0, p.name().length() - "_kernel".length())
                    : p.name();
            if (!config.has(key + "_initializer")) {
                JsonObject init = new JsonObject();
                init.addProperty("module", "keras.initializers");
                init.addProperty("class_name", initializer);
                JsonObject initConfig = new JsonObject();
                if (initializer.equals("GlorotUniform")) {
                    initConfig.add("seed", JsonNull.INSTANCE);
                }
                init.add("config", initConfig);
                init.add("registered_name", JsonNull.INSTANCE);
                config.add(key + "_initializer", init);
            }
            if (p.isTrainable()) {
                for (String suffix : new String[] {"_regularizer", "_constraint"}) {
                    if (!config.has(key + suffix)) {
                        config.add(key + suffix, JsonNull.INSTANCE);
                    }
                }
            }
        }
    }

    static JsonObject dtypePolicy(String name) {
        JsonObject config = new JsonObject();
        config.addProperty("name", name);
        JsonObject policy = new JsonObject();
        policy.addProperty("module", "keras");
        policy.addProperty("class_name", "DTypePolicy");
        policy.add("config", config);
        policy.add("registered_name", JsonNull.INSTANCE);
        return policy;
    }

    private static JsonObject modelConfig(Model model) {
        JsonObject c = new JsonObject();
        c.addProperty("name", model.name());
        c.addProperty("trainable", model.isTrainable());
        JsonArray layers = new JsonArray();
        if (model instanceof Sequential) {
            c.add("dtype", dtypePolicy("float32"));
            layers.add(object(model.input().layer()));
            model.layers().forEach(l -> layers.add(object(l)));
            c.add("layers", layers);
            c.add("build_input_shape", batchShape(model.input().shape()));
            return c;
        }
        for (Layer l : model.layers()) {
            JsonObject entry = object(l);
            entry.addProperty("name", l.name());
            JsonArray nodes = new JsonArray();
            if (!(l instanceof InputLayer)) {
                List<SymbolicTensor> ins = model.outputOf(l.name()).inputs();
                JsonArray args = new JsonArray();
                if (ins.size() == 1) {
                    args.add(kerasTensor(ins.get(0)));
                } else {
                    JsonArray list = new JsonArray();
                    ins.forEach(t -> list.add(kerasTensor(t)));
                    args.add(list);
                }
                JsonObject node = new JsonObject();
                node.add("args", args);
                node.add("kwargs", KerasModelConfig.callKwargs(model.outputOf(l.name())));
                nodes.add(node);
            }
            entry.add("inbound_nodes", nodes);
            layers.add(entry);
        }
        c.add("layers", layers);
        c.add("input_layers", KerasModelFile.references(model.inputs(), true));
        c.add("output_layers", KerasModelFile.references(List.of(model.output()), true));
        return c;
    }

    private static JsonObject kerasTensor(SymbolicTensor t) {
        JsonObject config = new JsonObject();
        config.add("shape", batchShape(t.shape()));
        config.addProperty("dtype", "float32");
        config.add("keras_history", KerasModelFile.tensorReference(t, true));
        JsonObject o = new JsonObject();
        o.addProperty("class_name", "__keras_tensor__");
        o.add("config", config);
        return o;
    }

    /** {@code [null, d1, ...]}: the batch axis unknown, unknown axes null. */
    private static JsonArray batchShape(int[] perSample) {
        JsonArray a = new JsonArray();
        a.add(JsonNull.INSTANCE);
        for (int d : perSample) {
            a.add(d == Shapes.UNKNOWN ? null : d);
        }
        return a;
    }
}
