package dev.convey.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * One JSON object of a Keras config read as a schema: every getter checks the value's JSON type and range before
 * converting it, so a stranger's file gets an error naming the place ({@code where}: the layer), the key, the
 * value found and what was expected, never a Gson {@code ClassCastException}, {@code IllegalStateException} or
 * {@code UnsupportedOperationException}. Absent and {@code null} keys take the Keras default where one exists.
 */
final class JsonConfig {

    private final JsonObject object;
    private final String where;

    JsonConfig(JsonObject object, String where) {
        this.object = object;
        this.where = where;
    }

    /** The object an element must be, or an error naming {@code what}. */
    static JsonConfig of(JsonElement e, String where, String what) {
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(where + ": " + what + " is " + show(e) + "; expected a JSON object");
        }
        return new JsonConfig(e.getAsJsonObject(), where);
    }

    String where() {
        return where;
    }

    JsonObject json() {
        return object;
    }

    /** Present and not null. */
    boolean has(String key) {
        JsonElement e = object.get(key);
        return e != null && !e.isJsonNull();
    }

    JsonElement get(String key) {
        return object.get(key);
    }

    IllegalArgumentException error(String key, JsonElement value, String expected) {
        return new IllegalArgumentException(where + ": '" + key + "' is " + show(value) + "; expected " + expected);
    }

    // ---------------------------------------------------------------- scalars

    String string(String key) {
        JsonElement e = object.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw error(key, e, "a string");
        }
        return e.getAsString();
    }

    String string(String key, String fallback) {
        return has(key) ? string(key) : fallback;
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = object.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw error(key, e, "true or false");
        }
        return e.getAsBoolean();
    }

    /** A finite number in [min, max]. */
    double number(String key, double fallback, double min, double max) {
        if (!has(key)) {
            return fallback;
        }
        return checkedNumber(key, object.get(key), min, max);
    }

    int integer(String key, int min, int max) {
        if (!has(key)) {
            throw error(key, object.get(key), "an integer in [" + min + ", " + max + "]");
        }
        return checkedInteger(key, object.get(key), min, max);
    }

    int integer(String key, int fallback, int min, int max) {
        return has(key) ? checkedInteger(key, object.get(key), min, max) : fallback;
    }

    /** Keras' "int or tuple of n ints": each in [min, max]; {@code fallback} when absent. */
    int[] ints(String key, int n, int fallback, int min, int max) {
        int[] out = new int[n];
        if (!has(key)) {
            java.util.Arrays.fill(out, fallback);
            return out;
        }
        JsonElement e = object.get(key);
        if (e.isJsonPrimitive()) {
            java.util.Arrays.fill(out, checkedInteger(key, e, min, max));
            return out;
        }
        JsonArray a = e.isJsonArray() ? e.getAsJsonArray() : null;
        if (a == null || a.size() != n) {
            throw error(key, e, "an integer or a list of " + n + " integers in [" + min + ", " + max + "]");
        }
        for (int i = 0; i < n; i++) {
            double v = numberOrNaN(a.get(i));
            if (!(v >= min && v <= max) || v != Math.rint(v)) {
                throw error(key, e, n + " integers in [" + min + ", " + max + "]");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** A list of integers, each in [min, max] (any length). */
    int[] intList(String key, int min, int max) {
        JsonArray a = array(key);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = checkedInteger(key, a.get(i), min, max);
        }
        return out;
    }

    JsonArray array(String key) {
        JsonElement e = object.get(key);
        if (e == null || !e.isJsonArray()) {
            throw error(key, e, "a list");
        }
        return e.getAsJsonArray();
    }

    JsonConfig object(String key) {
        JsonElement e = object.get(key);
        if (e == null || !e.isJsonObject()) {
            throw error(key, e, "a JSON object");
        }
        return new JsonConfig(e.getAsJsonObject(), where);
    }

    // ---------------------------------------------------------------- checks shared with array elements

    int checkedInteger(String key, JsonElement e, int min, int max) {
        double v = numberOrNaN(e);
        if (!(v >= min && v <= max) || v != Math.rint(v)) {
            throw error(key, e, "an integer in [" + min + ", " + max + "]");
        }
        return (int) v;
    }

    double checkedNumber(String key, JsonElement e, double min, double max) {
        double v = numberOrNaN(e);
        if (!(v >= min && v <= max)) {
            throw error(key, e, "a finite number in [" + min + ", " + max + "]");
        }
        return v;
    }

    /** The number an element holds, NaN for anything else (strings, lists, objects, null, NaN itself). */
    private static double numberOrNaN(JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return Double.NaN;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        try {
            return p.getAsDouble();
        } catch (NumberFormatException ex) {
            return Double.NaN;
        }
    }

    /** A value as it appears in the file, shortened for messages. */
    static String show(JsonElement e) {
        if (e == null) {
            return "missing";
        }
        String s = e.toString();
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
