package dev.convey.keras;

import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import dev.convey.models.Model;
import dev.convey.training.Adam;
import dev.convey.training.Optimizer;
import dev.convey.training.RMSprop;
import dev.convey.training.SGD;
import dev.convey.training.Trainer;

/**
 * {@code compile_config} of a Keras 3 {@code config.json}: written from a compiled model as
 * {@code model.get_compile_config()} does (optimizer object, loss and metric names), and applied on load as
 * {@code keras.models.load_model} does, skipping with a note what Convey does not have.
 */
final class KerasCompileConfig {

    private KerasCompileConfig() {
    }

    /** Keras' {@code model.get_compile_config()}; null for a model never compiled. */
    static JsonElement toJson(Model model) {
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
