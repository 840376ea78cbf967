package dev.convey.keras;

import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Keras' {@code safe_mode}, always on: a model file is data, never code. Refused by name, anywhere in a config:
 * layers that carry Python code ({@code Lambda}, {@code TFOpLambda}, {@code SlicingOpLambda}, serialised
 * {@code __lambda__} functions), and custom classes (a {@code registered_name} of a class registered outside
 * Keras such as {@code "my_package>MyLayer"}, or a {@code module} that is not Keras'). Convey runs none of them
 * in any case (it has no Python); refusing them by name says why the model cannot be loaded.
 */
final class KerasSafeMode {

    private static final Set<String> CODE_CLASSES = Set.of("Lambda", "TFOpLambda", "SlicingOpLambda", "__lambda__");

    private KerasSafeMode() {
    }

    /** Walks a whole config tree; {@code file} names the source in the message. */
    static void check(JsonElement config, String file) {
        if (config == null || config.isJsonPrimitive() || config.isJsonNull()) {
            return;
        }
        if (config.isJsonArray()) {
            config.getAsJsonArray().forEach(e -> check(e, file));
            return;
        }
        JsonObject o = config.getAsJsonObject();
        JsonElement className = o.get("class_name");
        if (className != null && className.isJsonPrimitive()) {
            String cls = className.getAsString();
            String what = cls + describeName(o);
            if (CODE_CLASSES.contains(cls)) {
                throw new IllegalArgumentException(file + ": " + what + " holds Python code (a " + cls + " layer);"
                        + " Convey never runs code from a model file (Keras' safe_mode). Replace it with built-in"
                        + " layers before saving");
            }
            String module = string(o, "module");
            String registered = string(o, "registered_name");
            boolean kerasModule = module == null || module.equals("keras") || module.startsWith("keras.")
                    || (module.equals("builtins") && cls.equals("function"));
            boolean customRegistration = registered != null && !registered.equals(cls) && !registered.equals("function");
            if (!kerasModule || customRegistration) {
                throw new IllegalArgumentException(file + ": " + what + " is a custom class ("
                        + (registered != null ? "registered as '" + registered + "'" : "module '" + module + "'")
                        + "); Convey loads only Keras' built-in classes and never runs code from a model file"
                        + " (Keras' safe_mode)");
            }
        }
        o.entrySet().forEach(e -> check(e.getValue(), file));
    }

    private static String describeName(JsonObject o) {
        JsonElement config = o.get("config");
        if (config != null && config.isJsonObject()) {
            String name = string(config.getAsJsonObject(), "name");
            if (name != null) {
                return " '" + name + "'";
            }
        }
        String name = string(o, "name");
        return name == null ? "" : " '" + name + "'";
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }
}
