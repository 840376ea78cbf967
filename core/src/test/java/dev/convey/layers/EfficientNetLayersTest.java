package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

/**
 * The two layer options EfficientNet needs: Rescaling with one scale per channel (Keras broadcasts a list against
 * the last axis: y[..., c] = x[..., c] * s[c] + offset) and Dropout's noise_shape (one draw shared along the
 * axes of size 1). Values against the formula, gradients by finite differences.
 */
class EfficientNetLayersTest {

    @Test
    void perChannelRescalingMultipliesEachChannelByItsScale() {
        double[] s = {1 / Math.sqrt(0.229), 1 / Math.sqrt(0.224), 1 / Math.sqrt(0.225)};
        Rescaling r = new Rescaling(s, 0.5);
        assertArrayEquals(new int[] {-1, 7, 3}, r.build(new int[] {-1, 7, 3}));
        // 2 * 37 * 7 * 3 elements: more than one tile, and a tile end that does not fall on a pixel boundary of x.
        Tensor x = TestTensors.uniform(3, 74, 7, 7, 3);
        Tensor y = r.forward(new Tensor[] {x}, false);
        for (int i = 0; i < x.size(); i++) {
            assertEquals(x.data().get(i) * (float) s[i % 3] + 0.5f, y.data().get(i), 1e-6, "element " + i);
        }
        assertEquals(List.of(s[0], s[1], s[2]), r.getConfig().get("scale"));
        assertEquals(0.5, r.getConfig().get("offset"));
        assertArrayEquals(s, r.channelScales());
        assertThrows(IllegalStateException.class, r::scale);
        GradientCheck.of(new Rescaling(new double[] {2, -0.5, 3}, 1)).inputs(TestTensors.uniform(4, 2, 3, 2, 3))
                .assertMatches(2e-3);
    }

    @Test
    void perChannelRescalingRefusesAnotherChannelCount() {
        MergeAndDropoutTest.assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> new Rescaling(new double[] {1, 2, 3}, 0).build(new int[] {4, 4, 2})), "3 per-channel scales",
                "(None, 4, 4, 2)");
        assertThrows(IllegalArgumentException.class, () -> new Rescaling(new double[0], 0));
        assertThrows(IllegalArgumentException.class, () -> new Rescaling(new double[] {1, Double.NaN}, 0));
        assertEquals(0.25, new Rescaling(0.25).getConfig().get("scale"));
        assertEquals(null, new Rescaling(0.25).channelScales());
    }

    /** EfficientNet's stochastic depth: Dropout(rate, noise_shape=(None, 1, 1, 1)) keeps or drops whole images. */
    @Test
    void dropoutWithANoiseShapeSharesOneDrawPerImage() {
        Layer.setRandomSeed(3);
        Dropout d = new Dropout(0.5).noiseShape(-1, 1, 1, 1);
        assertArrayEquals(new int[] {4, 3, 2}, d.build(new int[] {4, 3, 2}));
        Tensor x = MergeAndDropoutTest.counting(1, 400, 4, 3, 2);
        Tensor y = d.forward(new Tensor[] {x}, true);
        int dropped = 0;
        for (int n = 0; n < 400; n++) {
            float m = y.get(n, 0, 0, 0) / x.get(n, 0, 0, 0);
            assertTrue(m == 0f || m == 2f, "image " + n + " scaled by " + m);
            dropped += m == 0f ? 1 : 0;
            for (int i = 0; i < 24; i++) {
                int j = n * 24 + i;
                assertEquals(x.data().get(j) * m, y.data().get(j), 1e-3, "image " + n + " element " + i);
            }
        }
        // 400 Bernoulli(0.5) draws: mean 200, standard deviation 10.
        assertEquals(200, dropped, 50);
        Tensor dx = d.backward(Tensor.full(1f, 400, 4, 3, 2), new boolean[] {true}, false)[0];
        for (int j = 0; j < dx.size(); j++) {
            assertEquals(y.data().get(j) / x.data().get(j), dx.data().get(j), 1e-5);
        }
        assertEquals(java.util.Arrays.asList(null, 1, 1, 1), d.getConfig().get("noise_shape"));
        assertSame(x, d.forward(new Tensor[] {x}, false));
    }

    @Test
    void dropoutWithAPerChannelNoiseShape() {
        Layer.setRandomSeed(5);
        Dropout d = new Dropout(0.5).noiseShape(1, 1, 8);
        d.build(new int[] {6, 8});
        Tensor x = Tensor.full(1f, 2, 6, 8);
        Tensor y = d.forward(new Tensor[] {x}, true);
        for (int j = 0; j < y.size(); j++) {
            assertEquals(y.data().get(j % 8), y.data().get(j), "element " + j + " shares its channel's draw");
        }
    }

    @Test
    void dropoutNoiseShapesThatDoNotFitAreRefused() {
        MergeAndDropoutTest.assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> new Dropout(0.5).noiseShape(-1, 1, 1).build(new int[] {4, 3, 2})), "noise_shape", "(None, 4, 3, 2)");
        MergeAndDropoutTest.assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> new Dropout(0.5).noiseShape(-1, 5, 1, 1).build(new int[] {4, 3, 2})), "noise_shape");
        assertThrows(IllegalArgumentException.class, () -> new Dropout(0.5).noiseShape(-1, 0));
        Dropout d = new Dropout(0.5).noiseShape(3, 1);
        d.build(new int[] {4});
        MergeAndDropoutTest.assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> d.forward(new Tensor[] {Tensor.zeros(2, 4)}, true)), "batch of 2");
    }
}
