package dev.convey.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;

import dev.convey.layers.Average;
import dev.convey.layers.Cropping2D;
import dev.convey.layers.Dropout;
import dev.convey.layers.ELU;
import dev.convey.layers.GaussianDropout;
import dev.convey.layers.GaussianNoise;
import dev.convey.layers.Identity;
import dev.convey.layers.Layer;
import dev.convey.layers.LeakyReLU;
import dev.convey.layers.Maximum;
import dev.convey.layers.Minimum;
import dev.convey.layers.Multiply;
import dev.convey.layers.Normalization;
import dev.convey.layers.PReLU;
import dev.convey.layers.Permute;
import dev.convey.layers.ReLU;
import dev.convey.layers.RepeatVector;
import dev.convey.layers.Rescaling;
import dev.convey.layers.Reshape;
import dev.convey.layers.Softmax;
import dev.convey.layers.SpatialDropout2D;
import dev.convey.layers.Subtract;
import dev.convey.layers.UpSampling2D;

/**
 * The Keras layer classes beyond the classic CNN ones of {@link KerasLayerConfig}: activation layers, merges,
 * reshaping and noise layers, read from their configs with the same schema checks (Keras 3 key names, and
 * Keras 2's where they differ: LeakyReLU's {@code alpha}).
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
            case "Rescaling" -> rescaling(c);
            case "Normalization" -> normalization(c);
            case "LeakyReLU" -> new LeakyReLU(c.number(c.has("negative_slope") ? "negative_slope" : "alpha", 0.3, 0, 1e6));
            case "ELU" -> new ELU(c.number("alpha", 1.0, -1e6, 1e6));
            case "PReLU" -> new PReLU(c.has("shared_axes") ? sharedAxes(c) : new int[0]);
            case "Softmax" -> new Softmax(softmaxAxis(c));
            case "Identity" -> new Identity();
            case "Subtract" -> new Subtract();
            case "Average" -> new Average();
            case "Maximum" -> new Maximum();
            case "Minimum" -> new Minimum();
            case "Cropping2D" -> new Cropping2D(KerasLayerConfig.padding2d(c, "cropping", 0));
            case "UpSampling2D" -> new UpSampling2D(KerasLayerConfig.window(c, "size", 2), interpolation(c));
            case "RepeatVector" -> new RepeatVector(c.integer("n", 1, KerasLayerConfig.MAX_DIM));
            case "Permute" -> permute(c);
            case "SpatialDropout2D" -> new SpatialDropout2D(c.number("rate", 0, 0, Math.nextDown(1.0)), seed(c));
            case "GaussianNoise" -> new GaussianNoise(c.number("stddev", 0, 0, 1e6), seed(c));
            case "GaussianDropout" -> new GaussianDropout(c.number("rate", 0, 0, Math.nextDown(1.0)), seed(c));
            case "Dot", "Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                    "RandomContrast", "RandomCrop" -> KerasPreprocessingLayers.fromConfig(className, c);
            default -> throw new IllegalArgumentException("Unsupported Keras layer class '" + className + "' ("
                    + c.where() + "). Supported: InputLayer, Conv2D, DepthwiseConv2D, SeparableConv2D, Dense, MaxPooling2D,"
                    + " AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Activation, ReLU,"
                    + " ZeroPadding2D, BatchNormalization, Add, Multiply, Concatenate, Dropout, Reshape, Rescaling,"
                    + " Normalization, LeakyReLU, ELU, PReLU, Softmax, Identity,"
                    + " Subtract, Average, Maximum, Minimum, Cropping2D, UpSampling2D, RepeatVector, Permute,"
                    + " SpatialDropout2D, GaussianNoise, GaussianDropout,"
                    + " Dot, Resizing, CenterCrop, RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast, RandomCrop,"
                    + " and nested Sequential/Functional models");
        };
    }

    private static int[] sharedAxes(JsonConfig c) {
        return c.get("shared_axes").isJsonPrimitive() ? new int[] {c.integer("shared_axes", 1, 8)}
                : c.intList("shared_axes", 1, 8);
    }

    private static int softmaxAxis(JsonConfig c) {
        if (c.has("axis") && c.get("axis").isJsonArray()) {
            int[] axes = c.intList("axis", -8, 8);
            if (axes.length != 1) {
                throw c.error("axis", c.get("axis"), "one axis");
            }
            return axes[0];
        }
        int axis = c.integer("axis", -1, -8, 8);
        if (axis == 0) {
            throw c.error("axis", c.get("axis"), "a non-batch axis (not 0)");
        }
        return axis;
    }

    private static String interpolation(JsonConfig c) {
        String i = c.string("interpolation", "nearest");
        if (!i.equals("nearest") && !i.equals("bilinear")) {
            throw c.error("interpolation", c.get("interpolation"), "\"nearest\" or \"bilinear\"");
        }
        return i;
    }

    private static Permute permute(JsonConfig c) {
        int[] dims = c.intList("dims", 1, 8);
        try {
            return new Permute(dims);
        } catch (IllegalArgumentException e) {
            throw c.error("dims", c.get("dims"), "a permutation of 1.." + dims.length);
        }
    }

    private static Long seed(JsonConfig c) {
        return c.has("seed") ? (long) c.integer("seed", Integer.MIN_VALUE, Integer.MAX_VALUE) : null;
    }

    /**
     * Dropout (Keras 1's {@code p} for the rate) with Keras' {@code noise_shape}: null, or one size or null per axis,
     * batch first (EfficientNet's stochastic depth: {@code [null, 1, 1, 1]}).
     */
    static Dropout dropout(JsonConfig c) {
        Dropout d = new Dropout(c.number("rate", c.number("p", 0, 0, 1), 0, 1));
        if (!c.has("noise_shape")) {
            return d;
        }
        JsonArray a = c.array("noise_shape");
        int[] shape = new int[a.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = a.get(i).isJsonNull() ? -1 : c.checkedInteger("noise_shape", a.get(i), 1, Integer.MAX_VALUE);
        }
        if (shape.length < 2) {
            throw c.error("noise_shape", a, "null or one size (or null) per axis of the input, batch axis first");
        }
        return d.noiseShape(shape);
    }

    /** Rescaling: a scale or one per channel (EfficientNet's {@code [1 / sqrt(0.229), ...]}); a scalar offset. */
    private static Rescaling rescaling(JsonConfig c) {
        double offset = scalar(c, "offset", 0);
        if (!c.has("scale") || c.get("scale").isJsonPrimitive()) {
            return new Rescaling(scalar(c, "scale", 1), offset);
        }
        JsonElement e = c.get("scale");
        if (!e.isJsonArray() || e.getAsJsonArray().size() == 0) {
            throw c.error("scale", e, "a number or a non-empty list of numbers, one per channel");
        }
        double[] scales = new double[e.getAsJsonArray().size()];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = c.checkedNumber("scale", e.getAsJsonArray().get(i), -Double.MAX_VALUE, Double.MAX_VALUE);
        }
        return new Rescaling(scales, offset);
    }

    /** A scalar setting (Rescaling's offset, or its single scale); a list is refused by name. */
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
