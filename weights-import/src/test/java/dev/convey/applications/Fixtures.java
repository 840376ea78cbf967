package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.convey.io.Npy;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/** The application fixtures of {@code src-test-data/.../applications/} and how tests compare against them. */
final class Fixtures {

    /** The agreement the fixtures' README promises for a float32 engine: 1e-4 of the output's RMS. */
    static final double RELATIVE_TOLERANCE = 1e-4;

    private static JsonObject meta;

    private Fixtures() {
    }

    /** One weight tensor's checksum line of meta.json: {@code [layer, index, shape, sum, first, last]}. */
    record Checksum(String layer, int index, int[] shape, double sum, double first, double last) {
    }

    /** The section of meta.json for a model: {@code tiny_vgg16}, {@code vgg16}, {@code tiny_resnet50}, {@code resnet50}. */
    static synchronized JsonObject meta(String model) {
        if (meta == null) {
            try (Reader r = new InputStreamReader(TestData.open("applications/meta.json"), StandardCharsets.UTF_8)) {
                meta = JsonParser.parseReader(r).getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return meta.getAsJsonObject(model);
    }

    static List<Checksum> checksums(String model) {
        List<Checksum> out = new ArrayList<>();
        for (JsonElement e : meta(model).getAsJsonArray("weight_checksums")) {
            JsonArray a = e.getAsJsonArray();
            JsonArray s = a.get(2).getAsJsonArray();
            int[] shape = new int[s.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.get(i).getAsInt();
            }
            out.add(new Checksum(a.get(0).getAsString(), a.get(1).getAsInt(), shape, a.get(3).getAsDouble(),
                    a.get(4).getAsDouble(), a.get(5).getAsDouble()));
        }
        return out;
    }

    static List<String> layersWithWeights(String model) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : meta(model).getAsJsonArray("layers_with_weights_in_keras_order")) {
            out.add(e.getAsString());
        }
        return out;
    }

    /** meta.json's RMS of an output: {@code block5_pool}, {@code conv5_block3_out}, {@code predictions:logits}. */
    static double rms(String model, String output) {
        return meta(model).getAsJsonObject("rms").get(output).getAsDouble();
    }

    static Tensor npy(String name) {
        try {
            return Npy.read(TestData.file("applications/" + name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** sqrt(mean(x^2)). */
    static double rms(Tensor t) {
        double sum = 0;
        for (int i = 0; i < t.size(); i++) {
            double v = t.data().get(i);
            sum += v * v;
        }
        return Math.sqrt(sum / t.size());
    }

    /** Asserts equal shapes and max |actual - expected| <= 1e-4 * rms. */
    static void assertClose(String what, Tensor expected, Tensor actual, double rms) {
        assertEquals(Shapes.toString(expected.shape()), Shapes.toString(actual.shape()), what + ": shape");
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.size(); i++) {
            double d = Math.abs(expected.data().get(i) - actual.data().get(i));
            if (!(d <= worst)) {
                worst = d;
                worstIndex = i;
            }
        }
        double bound = RELATIVE_TOLERANCE * rms;
        assertTrue(worst <= bound, what + ": max |difference| " + worst + " at flat index " + worstIndex + " (expected "
                + (worstIndex < 0 ? "" : expected.data().get(worstIndex) + ", got " + actual.data().get(worstIndex))
                + ") exceeds 1e-4 * RMS = " + bound);
    }
}
