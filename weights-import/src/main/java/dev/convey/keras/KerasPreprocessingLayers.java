package dev.convey.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import dev.convey.layers.CenterCrop;
import dev.convey.layers.Dot;
import dev.convey.layers.Layer;
import dev.convey.layers.RandomContrast;
import dev.convey.layers.RandomCrop;
import dev.convey.layers.RandomFlip;
import dev.convey.layers.RandomRotation;
import dev.convey.layers.RandomTranslation;
import dev.convey.layers.RandomZoom;
import dev.convey.layers.Resizing;

/**
 * Keras 3's image preprocessing and augmentation layers ({@code Resizing}, {@code CenterCrop}, {@code RandomFlip},
 * {@code RandomRotation}, {@code RandomZoom}, {@code RandomTranslation}, {@code RandomContrast},
 * {@code RandomCrop}) and the {@code Dot} merge, read from their configs (keys and defaults of Keras 3's
 * {@code __init__}); the writers use each layer's {@code getConfig()}. A factor is a number or a pair (a JSON list,
 * or Keras' {@code __tuple__} object); what Convey does not implement (an antialiased or bicubic resize, a
 * bounding-box format) is refused by name.
 */
final class KerasPreprocessingLayers {

    static final int MAX_SIZE = 1 << 16;

    private KerasPreprocessingLayers() {
    }

    /** The layer of {@code className}, or null when the class is not one of these. */
    static Layer fromConfig(String className, JsonConfig c) {
        requireNoBoundingBoxes(c);
        return switch (className) {
            case "Dot" -> dot(c);
            case "Resizing" -> resizing(c);
            case "CenterCrop" -> new CenterCrop(size(c, "height"), size(c, "width"));
            case "RandomFlip" -> new RandomFlip(choice(c, "mode", "horizontal_and_vertical",
                    "horizontal", "vertical", "horizontal_and_vertical"), seed(c));
            case "RandomRotation" -> new RandomRotation(factor(c, "factor", true), fillMode(c), interpolation(c),
                    fillValue(c), seed(c));
            case "RandomZoom" -> new RandomZoom(factor(c, "height_factor", true), factor(c, "width_factor", false),
                    fillMode(c), interpolation(c), fillValue(c), seed(c));
            case "RandomTranslation" -> new RandomTranslation(factor(c, "height_factor", true),
                    factor(c, "width_factor", true), fillMode(c), interpolation(c), fillValue(c), seed(c));
            case "RandomContrast" -> new RandomContrast(factor(c, "factor", true), valueRange(c), seed(c));
            case "RandomCrop" -> new RandomCrop(size(c, "height"), size(c, "width"), seed(c));
            default -> null;
        };
    }

    /** axes: an int, or [axis of x, axis of y]; normalize. */
    private static Dot dot(JsonConfig c) {
        JsonElement e = c.get("axes");
        int[] axes = e != null && e.isJsonPrimitive() ? new int[] {c.integer("axes", -8, 8)} : axesPair(c);
        try {
            return new Dot(axes, c.bool("normalize", false));
        } catch (IllegalArgumentException ex) {
            throw c.error("axes", e, "an integer or a pair of integers");
        }
    }

    private static Resizing resizing(JsonConfig c) {
        if (c.bool("antialias", false)) {
            throw c.error("antialias", c.get("antialias"), "false (antialiased resizing is not implemented)");
        }
        if (!c.string("fill_mode", "constant").equals("constant")) {
            throw c.error("fill_mode", c.get("fill_mode"), "\"constant\" (the only fill Keras 3 pads with)");
        }
        boolean crop = c.bool("crop_to_aspect_ratio", false);
        boolean pad = c.bool("pad_to_aspect_ratio", false);
        if (crop && pad) {
            throw c.error("pad_to_aspect_ratio", c.get("pad_to_aspect_ratio"), "false when crop_to_aspect_ratio is true");
        }
        return new Resizing(size(c, "height"), size(c, "width"), interpolation(c), crop, pad, fillValue(c));
    }

    private static int size(JsonConfig c, String key) {
        return c.integer(key, 1, MAX_SIZE);
    }

    private static Long seed(JsonConfig c) {
        return c.has("seed") ? (long) c.integer("seed", Integer.MIN_VALUE, Integer.MAX_VALUE) : null;
    }

    private static double fillValue(JsonConfig c) {
        return c.number("fill_value", 0.0, -Float.MAX_VALUE, Float.MAX_VALUE);
    }

    private static String fillMode(JsonConfig c) {
        return choice(c, "fill_mode", "reflect", "reflect", "wrap", "constant", "nearest");
    }

    /** Bilinear or nearest; Resizing's others (bicubic, lanczos3, lanczos5, area) are refused by name. */
    private static String interpolation(JsonConfig c) {
        return choice(c, "interpolation", "bilinear", "bilinear", "nearest");
    }

    private static String choice(JsonConfig c, String key, String fallback, String... allowed) {
        String v = c.string(key, fallback);
        if (!java.util.List.of(allowed).contains(v)) {
            throw c.error(key, c.get(key), "one of " + String.join(", ", allowed) + " (others are not supported)");
        }
        return v;
    }

    private static void requireNoBoundingBoxes(JsonConfig c) {
        if (c.has("bounding_box_format")) {
            throw c.error("bounding_box_format", c.get("bounding_box_format"), "null (bounding boxes are not supported)");
        }
    }

    /** A factor: one number, or a pair; null when absent and not required. */
    private static double[] factor(JsonConfig c, String key, boolean required) {
        if (!c.has(key)) {
            if (required) {
                throw c.error(key, c.get(key), "a number or a pair of numbers");
            }
            return null;
        }
        JsonElement e = c.get(key);
        if (e.isJsonPrimitive()) {
            return new double[] {c.number(key, 0, -1, 1)};
        }
        JsonArray a = pair(c, key);
        return new double[] {c.checkedNumber(key, a.get(0), -1, 1), c.checkedNumber(key, a.get(1), -1, 1)};
    }

    private static double[] valueRange(JsonConfig c) {
        if (!c.has("value_range")) {
            return new double[] {0, 255};
        }
        JsonArray a = pair(c, "value_range");
        return new double[] {c.checkedNumber("value_range", a.get(0), -Float.MAX_VALUE, Float.MAX_VALUE),
                c.checkedNumber("value_range", a.get(1), -Float.MAX_VALUE, Float.MAX_VALUE)};
    }

    /** A two-element list, or Keras' {@code {"class_name": "__tuple__", "config": {"value": [a, b]}}}. */
    private static JsonArray pair(JsonConfig c, String key) {
        JsonElement e = c.get(key);
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("config") && o.get("config").isJsonObject() && o.getAsJsonObject("config").has("value")) {
                e = o.getAsJsonObject("config").get("value");
            }
        }
        if (!e.isJsonArray() || e.getAsJsonArray().size() != 2) {
            throw c.error(key, c.get(key), "a number or a pair of numbers");
        }
        return e.getAsJsonArray();
    }

    private static int[] axesPair(JsonConfig c) {
        JsonArray a = pair(c, "axes");
        return new int[] {c.checkedInteger("axes", a.get(0), -8, 8), c.checkedInteger("axes", a.get(1), -8, 8)};
    }
}
