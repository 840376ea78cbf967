package dev.convey.keras;

import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Dropout;
import dev.convey.layers.Flatten;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.GlobalMaxPooling2D;
import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.Multiply;
import dev.convey.layers.Normalization;
import dev.convey.layers.ReLU;
import dev.convey.layers.Rescaling;
import dev.convey.layers.Reshape;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.tensor.Shapes;

/**
 * The one place where Keras layer configs ({@code {"class_name": "Conv2D", "config": {...}}} in
 * {@code model_config}) meet Convey's layers, in both directions.
 *
 * <p>Reading accepts Keras 2 and Keras 3 key names, and Keras 1's for the layers Keras 1 files contain
 * ({@code Convolution2D}: nb_filter, nb_row, nb_col, border_mode, subsample; Dense's output_dim). Everything
 * Convey cannot honour is an error that names the layer and the setting: channels_first data, BatchNormalization
 * on another axis, global pooling with keepdims, a class it does not have. Settings that do not change the
 * function (initializers, regularizers, constraints) are ignored, since the weights come from the file.
 *
 * <p>Writing produces the Keras 2 keys (tf.keras 2.x {@code get_config()}), which Keras 2 and 3 both read.
 */
public final class KerasLayerConfig {

    private KerasLayerConfig() {
    }

    // ---------------------------------------------------------------- Keras -> Convey

    /** Creates the layer a Keras config describes, with its name and trainable flag. */
    public static Layer fromConfig(String className, JsonObject config) {
        String name = optionalString(config, "name");
        String where = className + (name == null ? "" : " '" + name + "'");
        requireChannelsLast(config, where);
        Layer layer = switch (className) {
            case "InputLayer" -> inputLayer(config, where);
            case "Conv2D", "Convolution2D" -> conv2d(config, where);
            case "Dense" -> new Dense(config.has("units") ? integer(config, "units") : integer(config, "output_dim"))
                    .useBias(bool(config, "use_bias", bool(config, "bias", true)))
                    .activation(activation(config, where));
            case "MaxPooling2D" -> new MaxPooling2D(pair(config, "pool_size", 2))
                    .strides(strides(config, pair(config, "pool_size", 2)))
                    .padding(padding(config));
            case "AveragePooling2D" -> new AveragePooling2D(pair(config, "pool_size", 2))
                    .strides(strides(config, pair(config, "pool_size", 2)))
                    .padding(padding(config));
            case "GlobalAveragePooling2D" -> {
                requireNoKeepdims(config, where);
                yield new GlobalAveragePooling2D();
            }
            case "GlobalMaxPooling2D" -> {
                requireNoKeepdims(config, where);
                yield new GlobalMaxPooling2D();
            }
            case "Flatten" -> new Flatten();
            case "Activation" -> new Activation(activation(config, where));
            case "ZeroPadding2D" -> zeroPadding(config, where);
            case "BatchNormalization" -> batchNormalization(config, where);
            case "Add" -> new Add();
            case "Concatenate" -> new Concatenate(config.has("axis") ? integer(config, "axis") : -1);
            case "DepthwiseConv2D" -> new DepthwiseConv2D(pair(config, "kernel_size", 1))
                    .depthMultiplier(config.has("depth_multiplier") ? integer(config, "depth_multiplier") : 1)
                    .strides(pair(config, "strides", 1))
                    .padding(padding(config))
                    .dilationRate(pair(config, "dilation_rate", 1))
                    .useBias(bool(config, "use_bias", true))
                    .activation(activation(config, where));
            case "ReLU" -> new ReLU(config.has("max_value") && !config.get("max_value").isJsonNull()
                    ? (float) number(config, "max_value", 0) : null,
                    (float) number(config, "negative_slope", 0), (float) number(config, "threshold", 0));
            case "Reshape" -> new Reshape(intArray(config, "target_shape", where));
            case "Multiply" -> new Multiply();
            case "Rescaling" -> new Rescaling(scalar(config, "scale", 1, where), scalar(config, "offset", 0, where));
            case "Normalization" -> normalization(config, where);
            case "Dropout" -> new Dropout(number(config, "rate", config.has("p") ? number(config, "p", 0) : 0));
            default -> throw new IllegalArgumentException("Unsupported Keras layer class '" + className + "'"
                    + (name == null ? "" : " (layer '" + name + "')") + ". Supported: InputLayer, Conv2D, Dense,"
                    + " MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Activation,"
                    + " ZeroPadding2D, BatchNormalization, Add, Concatenate, Dropout, DepthwiseConv2D, ReLU, Reshape,"
                    + " Multiply, Rescaling, Normalization, and nested Sequential/Model/Functional");
        };
        if (name != null) {
            layer.name(name);
        }
        layer.setTrainable(bool(config, "trainable", true));
        return layer;
    }

    private static InputLayer inputLayer(JsonObject config, String where) {
        int[] shape = batchInputShape(config);
        if (shape == null) {
            throw new IllegalArgumentException(where + ": no batch_input_shape or batch_shape");
        }
        return new InputLayer(shape);
    }

    private static Conv2D conv2d(JsonObject config, String where) {
        boolean keras1 = config.has("nb_filter");
        int filters = integer(config, keras1 ? "nb_filter" : "filters");
        int[] kernel = keras1 ? new int[] {integer(config, "nb_row"), integer(config, "nb_col")} : pair(config, "kernel_size", 1);
        int[] strides = keras1 ? pair(config, "subsample", 1) : pair(config, "strides", 1);
        return new Conv2D(filters, kernel)
                .strides(strides)
                .padding(padding(config))
                .dilationRate(pair(config, config.has("atrous_rate") ? "atrous_rate" : "dilation_rate", 1))
                .useBias(bool(config, "use_bias", bool(config, "bias", true)))
                .activation(activation(config, where));
    }

    /** Normalization on the last axis, its statistics from the weights (mean/variance in the config: refused). */
    private static Normalization normalization(JsonObject config, String where) {
        JsonElement axis = config.get("axis");
        boolean last = axis == null || axis.isJsonNull()
                || (axis.isJsonPrimitive() ? axis.getAsInt() == -1 : axis.getAsJsonArray().size() == 1
                && (axis.getAsJsonArray().get(0).getAsInt() == -1 || axis.getAsJsonArray().get(0).getAsInt() == 3));
        if (!last) {
            throw new IllegalArgumentException(where + ": axis " + axis + " is not supported; Convey normalises the"
                    + " last axis");
        }
        for (String key : new String[] {"mean", "variance"}) {
            if (config.has(key) && !config.get(key).isJsonNull()) {
                throw new IllegalArgumentException(where + ": " + key + " given in the config is not supported; Convey"
                        + " reads the statistics from the weights (mean, variance, count)");
            }
        }
        if (bool(config, "invert", false)) {
            throw new IllegalArgumentException(where + ": invert=True is not supported");
        }
        return new Normalization();
    }

    /** A scalar setting (Rescaling's scale/offset); a per-channel list is refused by name. */
    private static double scalar(JsonObject config, String key, double fallback, String where) {
        JsonElement e = config.get(key);
        if (e != null && !e.isJsonNull() && !e.isJsonPrimitive()) {
            throw new IllegalArgumentException(where + ": " + key + " " + e + " is not a number; only a scalar "
                    + key + " is supported");
        }
        return number(config, key, fallback);
    }

    private static int[] intArray(JsonObject config, String key, String where) {
        JsonElement e = config.get(key);
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException(where + ": expected a list of ints '" + key + "', got " + e);
        }
        JsonArray a = e.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).isJsonNull() ? -1 : a.get(i).getAsInt();
        }
        return out;
    }

    private static BatchNormalization batchNormalization(JsonObject config, String where) {
        JsonElement axis = config.get("axis");
        int a = axis == null ? -1 : axis.isJsonArray() ? single(axis.getAsJsonArray(), where + " axis") : axis.getAsInt();
        if (a != -1 && a != 3) {
            throw new IllegalArgumentException(where + ": axis " + axis + " is not supported; Convey normalises the"
                    + " channel axis (-1, or 3 for NHWC images)");
        }
        return new BatchNormalization()
                .epsilon(number(config, "epsilon", 1e-3))
                .momentum(number(config, "momentum", 0.99))
                .center(bool(config, "center", true))
                .scale(bool(config, "scale", true));
    }

    /** padding: 1 (all sides), [h, w] (symmetric), or [[top, bottom], [left, right]]. */
    private static ZeroPadding2D zeroPadding(JsonObject config, String where) {
        JsonElement p = config.get("padding");
        if (p == null || p.isJsonPrimitive()) {
            int n = p == null ? 1 : p.getAsInt();
            return new ZeroPadding2D(new int[][] {{n, n}, {n, n}});
        }
        JsonArray a = p.getAsJsonArray();
        if (a.size() != 2) {
            throw new IllegalArgumentException(where + ": padding " + p + " is neither an int, [h, w] nor [[top, bottom], [left, right]]");
        }
        if (a.get(0).isJsonPrimitive()) {
            return new ZeroPadding2D(new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()});
        }
        JsonArray h = a.get(0).getAsJsonArray();
        JsonArray w = a.get(1).getAsJsonArray();
        return new ZeroPadding2D(new int[][] {{h.get(0).getAsInt(), h.get(1).getAsInt()}, {w.get(0).getAsInt(), w.get(1).getAsInt()}});
    }

    /** The per-sample input shape from batch_input_shape (Keras 2) or batch_shape (Keras 3); null if absent. */
    static int[] batchInputShape(JsonObject config) {
        JsonElement e = config.has("batch_input_shape") ? config.get("batch_input_shape") : config.get("batch_shape");
        if (e == null || e.isJsonNull()) {
            return null;
        }
        JsonArray a = e.getAsJsonArray();
        int[] shape = new int[a.size() - 1];
        for (int i = 1; i < a.size(); i++) {
            shape[i - 1] = a.get(i).isJsonNull() ? Shapes.UNKNOWN : a.get(i).getAsInt();
        }
        return shape;
    }

    private static void requireChannelsLast(JsonObject config, String where) {
        String format = optionalString(config, "data_format");
        String ordering = optionalString(config, "dim_ordering");
        if ((format != null && !format.equals("channels_last")) || "th".equals(ordering)) {
            throw new IllegalArgumentException(where + ": data_format '" + (format != null ? format : "th (channels_first)")
                    + "' is not supported; Convey layers are channels_last (NHWC)");
        }
    }

    private static void requireNoKeepdims(JsonObject config, String where) {
        if (bool(config, "keepdims", false)) {
            throw new IllegalArgumentException(where + ": keepdims=True is not supported");
        }
    }

    private static String activation(JsonObject config, String where) {
        JsonElement a = config.get("activation");
        if (a == null || a.isJsonNull()) {
            return "linear";
        }
        if (!a.isJsonPrimitive()) {
            throw new IllegalArgumentException(where + ": activation " + a + " is not a built-in activation name");
        }
        return a.getAsString();
    }

    private static String padding(JsonObject config) {
        String p = config.has("padding") ? string(config, "padding") : optionalString(config, "border_mode");
        return p == null ? "valid" : p;
    }

    /** Pooling strides: null (Keras' default) means the pool size. */
    private static int[] strides(JsonObject config, int[] poolSize) {
        JsonElement s = config.get("strides");
        return s == null || s.isJsonNull() ? poolSize : pair(config, "strides", 1);
    }

    // ---------------------------------------------------------------- Convey -> Keras

    /** {@code {"class_name": ..., "config": {...}}} for one layer: its {@link Layer#getConfig()} as JSON. */
    public static JsonObject toConfig(Layer layer) {
        JsonObject out = new JsonObject();
        out.addProperty("class_name", layer.className());
        out.add("config", json(layer.getConfig()));
        return out;
    }

    /** A config value (String, Number, Boolean, List, Map, null) as JSON. */
    static JsonElement json(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        } else if (value instanceof String s) {
            return new JsonPrimitive(s);
        } else if (value instanceof Number n) {
            return new JsonPrimitive(n);
        } else if (value instanceof Boolean b) {
            return new JsonPrimitive(b);
        } else if (value instanceof List<?> list) {
            JsonArray a = new JsonArray();
            for (Object v : list) {
                a.add(json(v));
            }
            return a;
        } else if (value instanceof Map<?, ?> map) {
            JsonObject o = new JsonObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                o.add(String.valueOf(e.getKey()), json(e.getValue()));
            }
            return o;
        }
        throw new IllegalArgumentException("A layer config value must be a String, number, Boolean, List, Map or"
                + " null, not " + value.getClass().getName() + " (" + value + ")");
    }

    // ---------------------------------------------------------------- JSON helpers

    static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalArgumentException("Expected a string '" + key + "' in " + abbreviate(o));
        }
        return e.getAsString();
    }

    static String optionalString(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static int integer(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalArgumentException("Expected an integer '" + key + "' in " + abbreviate(o));
        }
        return e.getAsInt();
    }

    private static double number(JsonObject o, String key, double fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsDouble();
    }

    private static boolean bool(JsonObject o, String key, boolean fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsBoolean();
    }

    /** A Keras "int or tuple of 2 ints" argument. */
    private static int[] pair(JsonObject o, String key, int fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return new int[] {fallback, fallback};
        }
        if (e.isJsonPrimitive()) {
            return new int[] {e.getAsInt(), e.getAsInt()};
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() != 2) {
            throw new IllegalArgumentException("Expected '" + key + "' to be an int or 2 ints, got " + e);
        }
        return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
    }

    private static int single(JsonArray a, String what) {
        if (a.size() != 1) {
            throw new IllegalArgumentException(what + " " + a + " is not a single axis");
        }
        return a.get(0).getAsInt();
    }


    private static String abbreviate(JsonObject o) {
        String s = o.toString();
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
