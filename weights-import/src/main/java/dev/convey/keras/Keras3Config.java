package dev.convey.keras;

import java.util.ArrayList;
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
import dev.convey.training.Adam;
import dev.convey.training.Optimizer;
import dev.convey.training.RMSprop;
import dev.convey.training.SGD;
import dev.convey.training.Trainer;

/**
 * {@code config.json} of a Keras 3 {@code .keras} zip, as {@code keras.saving.serialize_keras_object(model)}
 * writes it (keras/src/saving/serialization_lib.py, keras/src/models/functional.py): every object is
 * {@code {"module", "class_name", "config", "registered_name"}} plus {@code build_config} for built layers and
 * {@code compile_config} on a compiled model; the dtype is a {@code DTypePolicy} object; Functional layers carry
 * {@code name} and {@code inbound_nodes = [{"args": [...], "kwargs": {}}]} whose inputs are
 * {@code __keras_tensor__} objects with {@code keras_history = [layer, 0, 0]} (a list of them for merges).
 * Reading goes through {@link KerasModelConfig}, which knows these forms; {@link #compile} applies
 * {@code compile_config} as {@code keras.models.load_model} does.
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
        JsonElement compile = compileConfig(model);
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

    /** Keras' {@code model.get_compile_config()}; null for a model never compiled. */
    private static JsonElement compileConfig(Model model) {
        Trainer t;
        try {
            t = model.trainer();
        } catch (IllegalStateException notCompiled) {
            return null;
        }
        JsonObject optimizer = new JsonObject();
        optimizer.addProperty("module", "keras.optimizers");
        optimizer.addProperty("class_name", t.optimizer().name());
        optimizer.add("config", KerasLayerConfig.json(t.optimizer().getConfig()));
        optimizer.add("registered_name", JsonNull.INSTANCE);
        JsonObject c = new JsonObject();
        c.add("optimizer", optimizer);
        c.addProperty("loss", t.loss().name());
        c.add("loss_weights", JsonNull.INSTANCE);
        JsonArray metrics = new JsonArray();
        t.metrics().forEach(m -> metrics.add(m.name()));
        c.add("metrics", metrics);
        c.add("weighted_metrics", JsonNull.INSTANCE);
        c.addProperty("run_eagerly", false);
        c.addProperty("steps_per_execution", 1);
        c.addProperty("jit_compile", false);
        return c;
    }

    // ---------------------------------------------------------------- compile_config -> compile()

    /**
     * Compiles {@code model} from a {@code compile_config} (Adam, RMSprop or SGD with their settings; the loss
     * and metrics by name). What Convey does not have (a custom metric class, a loss object it does not know,
     * loss weights) is skipped and listed in the returned notes, so that loading for inference or fine-tuning
     * never fails on it. Returns the notes (empty when everything was restored).
     */
    static List<String> compile(Model model, JsonElement compileConfig, String file) {
        List<String> skipped = new ArrayList<>();
        if (compileConfig == null || compileConfig.isJsonNull()) {
            return skipped;
        }
        JsonConfig c = JsonConfig.of(compileConfig, file + ": compile_config", "compile_config");
        Optimizer optimizer = optimizer(c, skipped);
        String loss = null;
        JsonElement lossElement = c.get("loss");
        if (lossElement != null && lossElement.isJsonPrimitive()) {
            loss = lossElement.getAsString();
        } else if (lossElement != null && lossElement.isJsonObject() && !isCustom(lossElement)) {
            loss = objectName(lossElement);
            String unsupported = unsupportedLossSetting(lossElement.getAsJsonObject());
            if (unsupported != null) {
                skipped.add("loss '" + loss + "' with " + unsupported + " (Convey's losses take probabilities, without"
                        + " smoothing; the model is not compiled)");
                return skipped;
            }
        }
        List<String> metrics = new ArrayList<>();
        if (c.has("metrics") && c.get("metrics").isJsonArray()) {
            for (JsonElement m : c.array("metrics")) {
                String name = objectName(m);
                try {
                    dev.convey.training.Metric.get(name);
                    metrics.add(name);
                } catch (IllegalArgumentException unknown) {
                    skipped.add("metric " + describeObject(m) + " (not a built-in metric Convey has)");
                }
            }
        }
        if (loss == null) {
            skipped.add("loss " + describeObject(lossElement) + " (the model is not compiled)");
            return skipped;
        }
        try {
            model.compile(optimizer, loss, metrics.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            skipped.add("loss '" + loss + "' (" + e.getMessage() + "; the model is not compiled)");
        }
        return skipped;
    }

    /**
     * A metric or loss as compile_config names it: a string ({@code "accuracy"}), or a serialised object whose
     * {@code config.name} (built-in Keras metric objects) or class name says what it is.
     */
    private static String objectName(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonPrimitive()) {
            return e.getAsString();
        }
        if (e.isJsonObject() && !isCustom(e)) {
            JsonObject o = e.getAsJsonObject();
            JsonElement config = o.get("config");
            if (isFunction(o)) {
                return config.getAsString();
            }
            if (config != null && config.isJsonObject() && config.getAsJsonObject().has("name")
                    && config.getAsJsonObject().get("name").isJsonPrimitive()) {
                return config.getAsJsonObject().get("name").getAsString();
            }
        }
        return JsonConfig.show(e);
    }

    /** A class registered outside Keras ({@code registered_name "my_package>F1Score"}) or from another module. */
    private static boolean isCustom(JsonElement e) {
        if (!e.isJsonObject()) {
            return false;
        }
        JsonObject o = e.getAsJsonObject();
        String module = o.has("module") && o.get("module").isJsonPrimitive() ? o.get("module").getAsString() : null;
        boolean kerasModule = module == null || module.equals("keras") || module.startsWith("keras.");
        if (kerasModule && isFunction(o)) {
            return false; // a Keras function ({"class_name": "function", "config": "mean_squared_error"})
        }
        JsonElement registered = o.get("registered_name");
        boolean customName = registered != null && registered.isJsonPrimitive() && o.has("class_name")
                && !registered.getAsString().equals(o.get("class_name").getAsString());
        return customName || !kerasModule;
    }

    /** A loss object's setting Convey's losses do not have (from_logits, label_smoothing), or null. */
    private static String unsupportedLossSetting(JsonObject loss) {
        JsonElement config = loss.get("config");
        if (config == null || !config.isJsonObject()) {
            return null;
        }
        JsonObject c = config.getAsJsonObject();
        if (c.has("from_logits") && c.get("from_logits").isJsonPrimitive() && c.get("from_logits").getAsBoolean()) {
            return "from_logits=True";
        }
        JsonElement smoothing = c.get("label_smoothing");
        if (smoothing != null && smoothing.isJsonPrimitive() && smoothing.getAsJsonPrimitive().isNumber()
                && smoothing.getAsDouble() != 0) {
            return "label_smoothing=" + smoothing;
        }
        return null;
    }

    /** A serialised function: {@code {"class_name": "function", "config": "name"}}. */
    private static boolean isFunction(JsonObject o) {
        return o.has("class_name") && o.get("class_name").isJsonPrimitive()
                && o.get("class_name").getAsString().equals("function") && o.has("config")
                && o.get("config").isJsonPrimitive();
    }

    /** "F1Score (custom class 'my_package>F1Score', not run)" or the value as in the file. */
    private static String describeObject(JsonElement e) {
        if (e != null && isCustom(e)) {
            JsonObject o = e.getAsJsonObject();
            JsonElement registered = o.get("registered_name");
            return JsonConfig.show(o.get("class_name")) + " (custom class "
                    + (registered != null && !registered.isJsonNull() ? JsonConfig.show(registered) : "from module "
                    + JsonConfig.show(o.get("module"))) + ", never run: Keras' safe_mode)";
        }
        return e != null && e.isJsonPrimitive() ? "'" + e.getAsString() + "'" : JsonConfig.show(e);
    }

    private static Optimizer optimizer(JsonConfig c, List<String> skipped) {
        JsonElement o = c.get("optimizer");
        if (o != null && o.isJsonPrimitive()) {
            return byName(o.getAsString(), new JsonConfig(new JsonObject(), c.where()), skipped);
        }
        if (o != null && isCustom(o)) {
            skipped.add("optimizer " + describeObject(o) + " (replaced by Adam with learning rate 0.001)");
            return new Adam(0.001);
        }
        JsonConfig spec = c.object("optimizer");
        JsonConfig config = spec.has("config") ? spec.object("config") : new JsonConfig(new JsonObject(), c.where());
        return byName(spec.string("class_name"), new JsonConfig(config.json(), c.where() + " optimizer"), skipped);
    }

    private static Optimizer byName(String name, JsonConfig c, List<String> skipped) {
        double lr = c.get("learning_rate") != null && c.get("learning_rate").isJsonObject()
                ? skipSchedule(c, skipped) : c.number("learning_rate", 0.001, Double.MIN_VALUE, 1e6);
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "adam" -> new Adam(lr, c.number("beta_1", 0.9, 0, 1), c.number("beta_2", 0.999, 0, 1),
                    c.number("epsilon", 1e-7, 0, 1));
            case "rmsprop" -> new RMSprop(lr, c.number("rho", 0.9, 0, 1), c.number("momentum", 0, 0, 1),
                    c.number("epsilon", 1e-7, 0, 1), c.bool("centered", false));
            case "sgd" -> new SGD(lr, c.number("momentum", 0, 0, 1), c.bool("nesterov", false));
            default -> {
                skipped.add("optimizer " + name + " (replaced by Adam with learning rate " + lr + ")");
                yield new Adam(lr);
            }
        };
    }

    private static double skipSchedule(JsonConfig c, List<String> skipped) {
        skipped.add("learning-rate schedule " + JsonConfig.show(c.get("learning_rate")) + " (constant 0.001 used)");
        return 0.001;
    }
}
