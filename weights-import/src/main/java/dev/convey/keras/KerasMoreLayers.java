package dev.convey.keras;

import com.google.gson.JsonElement;

import dev.convey.layers.Layer;
import dev.convey.layers.Multiply;
import dev.convey.layers.Normalization;
import dev.convey.layers.ReLU;
import dev.convey.layers.Rescaling;
import dev.convey.layers.Reshape;

/**
 * The Keras layer classes beyond the classic CNN ones of {@link KerasLayerConfig}: activation layers, merges,
 * reshaping, noise and preprocessing layers, read from their configs with the same schema checks.
 */
final class KerasMoreLayers {

    private KerasMoreLayers() {
    }

    static Layer fromConfig(String className, JsonConfig c) {
        return switch (className) {
            case "ReLU" -> new ReLU(c.has("max_value") ? (float) c.number("max_value", 0, 0, Float.MAX_VALUE) : null,
                    (float) c.number("negative_slope", 0, 0, Float.MAX_VALUE),
                    (float) c.number("threshold", 0, -Float.MAX_VALUE, Float.MAX_VALUE));
            case "Reshape" -> new Reshape(c.intList("target_shape", -1, KerasLayerConfig.MAX_DIM));
            case "Multiply" -> new Multiply();
            case "Rescaling" -> new Rescaling(scalar(c, "scale", 1), scalar(c, "offset", 0));
            case "Normalization" -> normalization(c);
            default -> throw new IllegalArgumentException("Unsupported Keras layer class '" + className + "' ("
                    + c.where() + "). Supported: InputLayer, Conv2D, DepthwiseConv2D, Dense, MaxPooling2D,"
                    + " AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Activation, ReLU,"
                    + " ZeroPadding2D, BatchNormalization, Add, Multiply, Concatenate, Dropout, Reshape, Rescaling,"
                    + " Normalization, and nested Sequential/Functional models");
        };
    }

    /** A scalar setting (Rescaling's scale/offset); a per-channel list is refused by name. */
    private static double scalar(JsonConfig c, String key, double fallback) {
        JsonElement e = c.get(key);
        if (c.has(key) && !e.isJsonPrimitive()) {
            throw c.error(key, e, "a number (a per-channel " + key + " is not supported)");
        }
        return c.number(key, fallback, -Double.MAX_VALUE, Double.MAX_VALUE);
    }

    /** Normalization on the last axis, its statistics from the weights (mean/variance in the config: refused). */
    private static Normalization normalization(JsonConfig c) {
        JsonElement axis = c.get("axis");
        boolean last = !c.has("axis")
                || (axis.isJsonPrimitive() ? c.checkedInteger("axis", axis, -8, 8) == -1
                : axis.isJsonArray() && axis.getAsJsonArray().size() == 1
                && (c.checkedInteger("axis", axis.getAsJsonArray().get(0), -8, 8) == -1
                || c.checkedInteger("axis", axis.getAsJsonArray().get(0), -8, 8) == 3));
        if (!last) {
            throw c.error("axis", axis, "-1 (Convey normalises the last axis)");
        }
        for (String key : new String[] {"mean", "variance"}) {
            if (c.has(key)) {
                throw c.error(key, c.get(key), "null: Convey reads the statistics from the weights (mean, variance, count)");
            }
        }
        if (c.bool("invert", false)) {
            throw c.error("invert", c.get("invert"), "false (invert=True is not supported)");
        }
        return new Normalization();
    }
}
