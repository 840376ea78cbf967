package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.convey.tensor.Tensor;

/** Inputs and comparisons for the layer tests. */
final class TestTensors {

    private TestTensors() {
    }

    /** Uniform values in [-1, 1). */
    static Tensor uniform(long seed, int... shape) {
        Random random = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) (random.nextDouble() * 2 - 1));
        }
        return t;
    }

    /**
     * All elements different by at least 0.05 (a shuffled ramp), so that a max never has a tie within the
     * gradient check's step, and at least 0.025 away from 0, so that relu has no input near its kink.
     */
    static Tensor distinct(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        int n = t.size();
        List<Integer> order = IntStream.range(0, n).boxed().collect(Collectors.toList());
        Collections.shuffle(order, new Random(seed));
        for (int i = 0; i < n; i++) {
            t.data().put(i, (float) ((order.get(i) - n / 2.0 + 0.5) * 0.05));
        }
        return t;
    }

    /** Gives a built layer's weights random values (biases too, which Keras initialises to zero). */
    static void randomizeWeights(Layer layer, long seed) {
        List<Tensor> ws = layer.getWeights();
        for (int i = 0; i < ws.size(); i++) {
            ws.set(i, uniform(seed + i, ws.get(i).shape()));
        }
        layer.setWeights(ws);
    }

    /** max |actual - expected| / max |expected| &lt;= tolerance, and the shapes agree. */
    static void assertClose(double[] expected, int[] expectedShape, Tensor actual, double tolerance, String what) {
        assertArrayEquals(expectedShape, actual.shape(), what + ": shape");
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(actual.data().get(i) - expected[i]));
        }
        double rel = maxDiff / Math.max(maxAbs, 1e-30);
        assertTrue(rel <= tolerance, what + ": max difference " + maxDiff + " is " + rel + " of the largest value "
                + maxAbs + " (tolerance " + tolerance + ")");
    }

    /** {@code body} run with system property {@code key} = {@code value}, cleared afterwards. */
    static <T> T withProperty(String key, String value, java.util.function.Supplier<T> body) {
        System.setProperty(key, value);
        try {
            return body.get();
        } finally {
            System.clearProperty(key);
        }
    }

    static double[] doubles(Tensor t) {
        double[] out = new double[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.data().get(i);
        }
        return out;
    }
}
