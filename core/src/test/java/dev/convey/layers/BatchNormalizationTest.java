package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

class BatchNormalizationTest {

    private static Tensor random(Random r, double scale, double offset, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) (offset + scale * r.nextGaussian()));
        }
        return t;
    }

    /** gamma, beta, moving_mean, moving_variance with distinct, non-trivial values. */
    private static BatchNormalization withRandomWeights(BatchNormalization bn, Random r, int channels) {
        bn.gamma().assign(random(r, 0.5, 1.0, channels));
        bn.beta().assign(random(r, 0.5, 0.0, channels));
        bn.movingMean().assign(random(r, 0.3, 0.2, channels));
        Tensor var = random(r, 0.3, 0, channels);
        for (int c = 0; c < channels; c++) {
            var.data().put(c, 0.5f + Math.abs(var.data().get(c)));
        }
        bn.movingVariance().assign(var);
        return bn;
    }

    /** Per-channel mean and biased variance over all rows, in double. */
    private static double[][] channelStats(Tensor x) {
        int c = x.dim(-1);
        int rows = x.size() / c;
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < c; k++) {
                mean[k] += x.data().get(r * c + k) / (double) rows;
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < c; k++) {
                double d = x.data().get(r * c + k) - mean[k];
                var[k] += d * d / rows;
            }
        }
        return new double[][] {mean, var};
    }

    private static void assertNormalized(Tensor x, Tensor y, double[] mean, double[] var, Tensor gamma, Tensor beta,
            double eps) {
        int c = x.dim(-1);
        for (int i = 0; i < x.size(); i++) {
            int k = i % c;
            double expected = gamma.data().get(k) * (x.data().get(i) - mean[k]) / Math.sqrt(var[k] + eps)
                    + beta.data().get(k);
            assertEquals(expected, y.data().get(i), 1e-5 * (1 + Math.abs(expected)), "element " + i);
        }
    }

    @Test
    void weightsComeInKerasOrderWithMovingStatisticsNonTrainable() {
        BatchNormalization bn = new BatchNormalization();
        bn.build(new int[] {5, 5, 3});
        List<String> names = new ArrayList<>();
        List<Boolean> trainable = new ArrayList<>();
        for (Parameter p : bn.weights()) {
            names.add(p.name());
            trainable.add(p.isTrainable());
        }
        assertEquals(List.of("gamma", "beta", "moving_mean", "moving_variance"), names);
        assertEquals(List.of(true, true, false, false), trainable);
        assertEquals(List.of(1f, 0f, 0f, 1f), List.of(bn.gamma().value().get(0), bn.beta().value().get(0),
                bn.movingMean().value().get(0), bn.movingVariance().value().get(0)));

        BatchNormalization noCenter = new BatchNormalization().center(false);
        noCenter.build(new int[] {3});
        assertEquals(3, noCenter.weights().size());
        assertEquals("gamma", noCenter.weights().get(0).name());
        assertEquals(null, noCenter.beta());
    }

    @Test
    void inferenceUsesMovingStatistics() {
        Random r = new Random(1);
        BatchNormalization bn = new BatchNormalization().epsilon(1.001e-5);
        bn.build(new int[] {3, 4, 5});
        withRandomWeights(bn, r, 5);
        Tensor x = random(r, 2, 0.5, 2, 3, 4, 5);
        Tensor y = bn.forward(new Tensor[] {x}, false);
        double[] mean = new double[5];
        double[] var = new double[5];
        for (int c = 0; c < 5; c++) {
            mean[c] = bn.movingMean().value().get(c);
            var[c] = bn.movingVariance().value().get(c);
        }
        assertNormalized(x, y, mean, var, bn.gamma().value(), bn.beta().value(), 1.001e-5);
    }

    /**
     * Keras' rule, by hand: normalise with the batch mean and biased variance; moving_mean moves towards the
     * batch mean and moving_variance towards the batch variance times n/(n-1) for 4-D inputs (tf.keras' fused
     * kernel), the biased variance for 2-D inputs; moving = moving * momentum + batch * (1 - momentum).
     */
    @Test
    void trainingUsesBatchStatisticsAndMovesTheMovingStatisticsAsKerasDoes() {
        Random r = new Random(2);
        for (int[] shape : new int[][] {{3, 4, 2, 6}, {10, 6}}) {
            BatchNormalization bn = new BatchNormalization().momentum(0.9);
            bn.build(java.util.Arrays.copyOfRange(shape, 1, shape.length));
            withRandomWeights(bn, r, 6);
            float[] mm0 = bn.movingMean().value().toArray();
            float[] mv0 = bn.movingVariance().value().toArray();
            Tensor x = random(r, 3, -1, shape);
            Tensor y = bn.forward(new Tensor[] {x}, true);

            double[][] stats = channelStats(x);
            assertNormalized(x, y, stats[0], stats[1], bn.gamma().value(), bn.beta().value(), 1e-3);
            int n = x.size() / 6;
            double correction = shape.length == 4 ? n / (n - 1.0) : 1.0;
            for (int c = 0; c < 6; c++) {
                double expectedMean = mm0[c] * 0.9 + stats[0][c] * 0.1;
                double expectedVar = mv0[c] * 0.9 + stats[1][c] * correction * 0.1;
                assertEquals(expectedMean, bn.movingMean().value().get(c), 1e-6, "moving_mean " + c);
                assertEquals(expectedVar, bn.movingVariance().value().get(c), 1e-6, "moving_variance " + c);
            }
        }
    }

    @Test
    void aFrozenLayerRunsInInferenceModeEvenWhenTraining() {
        Random r = new Random(3);
        BatchNormalization bn = new BatchNormalization();
        bn.build(new int[] {4});
        withRandomWeights(bn, r, 4);
        Tensor x = random(r, 1, 0, 8, 4);
        float[] inference = bn.forward(new Tensor[] {x}, false).toArray();
        float[] movingMean = bn.movingMean().value().toArray();

        bn.setTrainable(false);
        assertTrue(bn.isTrainableWhenCompiled(), "the flag only takes effect at compile");
        bn.snapshotTrainable();
        float[] frozenTraining = bn.forward(new Tensor[] {x}, true).toArray();
        assertEquals(java.util.Arrays.toString(inference), java.util.Arrays.toString(frozenTraining));
        assertEquals(java.util.Arrays.toString(movingMean), java.util.Arrays.toString(bn.movingMean().value().toArray()));

        bn.setTrainable(true);
        bn.snapshotTrainable();
        float[] training = bn.forward(new Tensor[] {x}, true).toArray();
        assertFalse(java.util.Arrays.equals(inference, training));
    }

    @Test
    void anAxisOutsideTheInputIsRefusedAndAxisThreeIsTheChannelAxis() {
        BatchNormalization bn = new BatchNormalization().axis(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.build(new int[] {8, 8, 3}));
        assertTrue(e.getMessage().contains("axis 4"), e.getMessage());
        assertTrue(e.getMessage().contains("(None, 8, 8, 3)"), e.getMessage());
        assertTrue(e.getMessage().contains(bn.name()), e.getMessage());
        BatchNormalization channels = new BatchNormalization().axis(3); // Keras' axis=3 is the last axis of NHWC
        channels.build(new int[] {8, 8, 3});
        assertEquals(Epilogue.Step.SCALE_SHIFT, channels.epilogueStep());
    }

    @Test
    void foldingGettersGiveTheInferenceAffineMap() {
        Random r = new Random(4);
        BatchNormalization bn = new BatchNormalization();
        bn.build(new int[] {3});
        withRandomWeights(bn, r, 3);
        Tensor x = random(r, 1, 0, 2, 3);
        Tensor y = bn.forward(x);
        for (int i = 0; i < x.size(); i++) {
            int c = i % 3;
            double s = bn.gamma().value().get(c) / Math.sqrt(bn.movingVariance().value().get(c) + bn.epsilon());
            double t = bn.beta().value().get(c) - bn.movingMean().value().get(c) * s;
            assertEquals(x.data().get(i) * s + t, y.data().get(i), 1e-5);
        }
    }

    /**
     * The folded {scale, shift} is kept between calls but follows the weights: a training pass moves the moving
     * statistics, setWeights replaces gamma, and each time the pair equals y = x * s + t of an inference pass.
     */
    @Test
    void inferenceScaleShiftFollowsTheMovingStatisticsAndWeights() {
        BatchNormalization bn = new BatchNormalization().momentum(0.5f);
        bn.build(new int[] {2, 2, 3});
        Tensor x = Tensor.zeros(2, 2, 2, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) Math.sin(i) * 3);
        }
        float[][] initial = bn.inferenceScaleShift();
        assertTrue(initial == bn.inferenceScaleShift(), "unchanged weights: the same arrays");
        bn.forward(new Tensor[] {x}, true);   // moves moving_mean and moving_variance
        assertInferenceEquals(bn, x, "after a training pass");
        List<Tensor> weights = bn.getWeights();
        weights.set(0, Tensor.full(2f, 3));
        bn.setWeights(weights);
        assertInferenceEquals(bn, x, "after setWeights");
    }

    private static void assertInferenceEquals(BatchNormalization bn, Tensor x, String what) {
        float[][] st = bn.inferenceScaleShift();
        Tensor y = bn.forward(x);
        for (int i = 0; i < x.size(); i++) {
            int c = i % 3;
            assertEquals(x.data().get(i) * st[0][c] + st[1][c], y.data().get(i), 0f, what + " element " + i);
        }
    }
}
