package dev.convey.keras;

import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import dev.convey.layers.Activation;
import dev.convey.layers.ActivationFunction;
import dev.convey.layers.Add;
import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.BaseConv;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Flatten;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.GlobalMaxPooling2D;
import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.SeparableConv2D;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.tensor.Shapes;

/**
 * The one place where Keras layer configs ({@code {"class_name": "Conv2D", "config": {...}}} in
 * {@code model_config}) meet Convey's layers, in both directions.
 *
 * <p>Reading accepts Keras 2 and Keras 3 key names, and Keras 1's for the layers Keras 1 files contain
 * ({@code Convolution2D}: nb_filter, nb_row, nb_col, border_mode, subsample; Dense's output_dim). Everything
 * Convey cannot honour is an error that names the layer and the setting: channels_first data,
 * a class it does not have. Settings that do not change the
 * function (initializers, regularizers, constraints) are ignored, since the weights come from the file.
 *
 * <p>Writing produces the Keras 2 keys (tf.keras 2.x {@code get_config()}), which Keras 2 and 3 both read.
 */
public final class KerasLayerConfig {

    private KerasLayerConfig() {
    }

    // ---------------------------------------------------------------- Keras -> Convey

    /** Sizes beyond these are not a model anyone trained: refused before any weight is allocated. */
    static final int MAX_UNITS = 1 << 20;
    static final int MAX_WINDOW = 1 << 12;
    static final int MAX_DIM = 1 << 24;

    /** Creates the layer a Keras config describes, with its name and trainable flag. */
    public static Layer fromConfig(String className, JsonObject config) {
        return fromConfig(className, new JsonConfig(config, className));
    }

    /** Creates the layer a Keras config describes; every error names the layer, the key and the value. */
    static Layer fromConfig(String className, JsonConfig raw) {
        String name = raw.string("name", null);
        JsonConfig c = new JsonConfig(raw.json(), className + (name == null ? "" : " '" + name + "'"));
        requireChannelsLast(c);
        Layer layer = switch (className) {
            case "InputLayer" -> inputLayer(c);
            case "Conv2D", "Convolution2D" -> conv2d(c);
            case "Dense" -> new Dense(c.has("units") ? c.integer("units", 1, MAX_UNITS) : c.integer("output_dim", 1, MAX_UNITS))
                    .useBias(c.bool("use_bias", c.bool("bias", true)))
                    .activation(activation(c));
            case "MaxPooling2D" -> new MaxPooling2D(window(c, "pool_size", 2))
                    .strides(poolStrides(c))
                    .padding(padding(c));
            case "AveragePooling2D" -> new AveragePooling2D(window(c, "pool_size", 2))
                    .strides(poolStrides(c))
                    .padding(padding(c));
            case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D().keepdims(c.bool("keepdims", false));
            case "GlobalMaxPooling2D" -> new GlobalMaxPooling2D().keepdims(c.bool("keepdims", false));
            case "Flatten" -> new Flatten();
            case "Activation" -> new Activation(activation(c));
            case "ZeroPadding2D" -> zeroPadding(c);
            case "BatchNormalization" -> batchNormalization(c);
            case "Add" -> new Add();
            case "Concatenate" -> new Concatenate(c.integer("axis", -1, -8, 8));
            case "Dropout" -> KerasMoreLayers.dropout(c);
            case "DepthwiseConv2D" -> convolution(new DepthwiseConv2D(window(c, "kernel_size", 1))
                    .depthMultiplier(depthMultiplier(c)), c);
            case "SeparableConv2D", "SeparableConvolution2D" -> convolution(new SeparableConv2D(filters(c), kernelSize(c))
                    .depthMultiplier(depthMultiplier(c)), c);
            default -> KerasMoreLayers.fromConfig(className, c);
        };
        if (name != null) {
            layer.name(name);
        }
        layer.setTrainable(c.bool("trainable", true));
        return layer;
    }

    private static InputLayer inputLayer(JsonConfig c) {
        int[] shape = batchInputShape(c);
        if (shape == null) {
            throw new IllegalArgumentException(c.where() + ": no batch_input_shape or batch_shape");
        }
        return new InputLayer(shape);
    }

    private static Conv2D conv2d(JsonConfig c) {
        if (c.integer("groups", 1, 1, MAX_UNITS) != 1) {
            throw c.error("groups", c.get("groups"), "1 (grouped convolutions are not supported)");
        }
        return convolution(new Conv2D(filters(c), kernelSize(c)), c);
    }

    /** filters (Keras 1: nb_filter). */
    private static int filters(JsonConfig c) {
        return c.integer(c.has("nb_filter") ? "nb_filter" : "filters", 1, MAX_UNITS);
    }

    /** kernel_size (Keras 1: nb_row, nb_col). */
    private static int[] kernelSize(JsonConfig c) {
        return c.has("nb_filter") ? new int[] {c.integer("nb_row", 1, MAX_WINDOW), c.integer("nb_col", 1, MAX_WINDOW)}
                : window(c, "kernel_size", 1);
    }

    private static int depthMultiplier(JsonConfig c) {
        return c.integer("depth_multiplier", 1, 1, MAX_UNITS);
    }

    /**
     * The settings every convolution reads alike: strides (Keras 1: subsample), padding (border_mode),
     * dilation_rate (atrous_rate), use_bias (bias), activation.
     */
    private static <T extends BaseConv<T>> T convolution(T conv, JsonConfig c) {
        return conv.strides(window(c, c.has("nb_filter") ? "subsample" : "strides", 1))
                .padding(padding(c))
                .dilationRate(window(c, c.has("atrous_rate") ? "atrous_rate" : "dilation_rate", 1))
                .useBias(c.bool("use_bias", c.bool("bias", true)))
                .activation(activation(c));
    }

    private static BatchNormalization batchNormalization(JsonConfig c) {
        // Keras 3 writes axis as an int, Keras 2 as a list of one ([3]); several axes at once are not supported
        JsonElement axis = c.get("axis");
        if (c.has("axis") && axis.isJsonArray() && axis.getAsJsonArray().size() != 1) {
            throw c.error("axis", axis, "one axis (an int or a list of one int)");
        }
        int a = !c.has("axis") ? -1 : axis.isJsonArray()
                ? c.checkedInteger("axis", axis.getAsJsonArray().get(0), -8, 8) : c.integer("axis", -8, 8);
        if (a == 0) {
            throw c.error("axis", axis, "a non-batch axis (not 0)");
        }
        return new BatchNormalization().axis(a)
                .epsilon(c.number("epsilon", 1e-3, Double.MIN_VALUE, 1))
                .momentum(c.number("momentum", 0.99, 0, 1))
                .center(c.bool("center", true))
                .scale(c.bool("scale", true));
    }

    /** padding: 1 (all sides), [h, w] (symmetric), or [[top, bottom], [left, right]]. */
    static int[][] padding2d(JsonConfig c, String key, int fallback) {
        JsonElement p = c.get(key);
        if (!c.has(key) || p.isJsonPrimitive()) {
            int n = c.integer(key, fallback, 0, MAX_DIM);
            return new int[][] {{n, n}, {n, n}};
        }
        String expected = "an integer, [h, w] or [[top, bottom], [left, right]] of integers >= 0";
        JsonArray a = p.isJsonArray() ? p.getAsJsonArray() : null;
        if (a == null || a.size() != 2) {
            throw c.error(key, p, expected);
        }
        int[][] out = new int[2][2];
        for (int axis = 0; axis < 2; axis++) {
            JsonElement e = a.get(axis);
            if (e.isJsonArray() && e.getAsJsonArray().size() == 2) {
                out[axis][0] = c.checkedInteger(key, e.getAsJsonArray().get(0), 0, MAX_DIM);
                out[axis][1] = c.checkedInteger(key, e.getAsJsonArray().get(1), 0, MAX_DIM);
            } else if (e.isJsonPrimitive()) {
                out[axis][0] = out[axis][1] = c.checkedInteger(key, e, 0, MAX_DIM);
            } else {
                throw c.error(key, p, expected);
            }
        }
        return out;
    }

    private static ZeroPadding2D zeroPadding(JsonConfig c) {
        return new ZeroPadding2D(padding2d(c, "padding", 1));
    }

    /** The per-sample input shape from batch_input_shape (Keras 2) or batch_shape (Keras 3); null if absent. */
    static int[] batchInputShape(JsonObject config) {
        return batchInputShape(new JsonConfig(config, "InputLayer"));
    }

    static int[] batchInputShape(JsonConfig c) {
        String key = c.has("batch_input_shape") ? "batch_input_shape" : "batch_shape";
        if (!c.has(key)) {
            return null;
        }
        JsonArray a = c.array(key);
        if (a.size() < 2 || a.size() > 9) {
            throw c.error(key, c.get(key), "[batch, d1, ..., dn] with 1 to 8 axes after the batch");
        }
        int[] shape = new int[a.size() - 1];
        for (int i = 1; i < a.size(); i++) {
            shape[i - 1] = a.get(i).isJsonNull() ? Shapes.UNKNOWN : c.checkedInteger(key, a.get(i), 1, MAX_DIM);
        }
        return shape;
    }

    private static void requireChannelsLast(JsonConfig c) {
        String format = c.has("data_format") ? c.string("data_format") : null;
        String ordering = c.has("dim_ordering") ? c.string("dim_ordering") : null;
        if ((format != null && !format.equals("channels_last")) || "th".equals(ordering)) {
            throw new IllegalArgumentException(c.where() + ": data_format '" + (format != null ? format : "th (channels_first)")
                    + "' is not supported; Convey layers are channels_last (NHWC)");
        }
    }

    /**
     * The activation: a name ({@code "relu"}), null (linear), or a serialised function object
     * ({@code {"module": "builtins", "class_name": "function", "config": "softmax_v2"}}, tf.keras 2.x; TensorFlow's
     * {@code _v2} suffix dropped). Unknown names are an error listing the known ones.
     */
    static String activation(JsonConfig c) {
        JsonElement a = c.get("activation");
        if (!c.has("activation")) {
            return "linear";
        }
        String name;
        if (a.isJsonPrimitive() && a.getAsJsonPrimitive().isString()) {
            name = a.getAsString();
        } else if (a.isJsonObject() && a.getAsJsonObject().has("config")
                && a.getAsJsonObject().get("config").isJsonPrimitive()) {
            name = a.getAsJsonObject().get("config").getAsString();
        } else {
            throw c.error("activation", a, "a built-in activation name");
        }
        name = name.endsWith("_v2") ? name.substring(0, name.length() - 3) : name;
        try {
            ActivationFunction.forName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.where() + ": " + e.getMessage(), e);
        }
        return name;
    }

    private static String padding(JsonConfig c) {
        String p = c.has("padding") ? c.string("padding") : c.string("border_mode", "valid");
        if (!p.equals("valid") && !p.equals("same")) {
            throw c.error(c.has("padding") ? "padding" : "border_mode", new JsonPrimitive(p), "\"valid\" or \"same\"");
        }
        return p;
    }

    /** A window size, stride or dilation: an int or 2 ints in [1, MAX_WINDOW]. */
    static int[] window(JsonConfig c, String key, int fallback) {
        return c.ints(key, 2, fallback, 1, MAX_WINDOW);
    }

    /** Pooling strides: null (Keras' default) means the pool size. */
    private static int[] poolStrides(JsonConfig c) {
        return c.has("strides") ? window(c, "strides", 1) : window(c, "pool_size", 2);
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
        return new JsonConfig(o, "config").string(key);
    }

    static String optionalString(JsonObject o, String key) {
        return new JsonConfig(o, "config").string(key, null);
    }
}
