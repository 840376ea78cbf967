package dev.convey.layers;

import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/** The fast training kernels of BatchNormalization against naive loops in double precision. */
class BatchNormKernelsTest {

    private static Tensor random(Random r, int rows, int channels, double offset, double scale) {
        Tensor t = Tensor.zeros(rows, channels);
        for (int i = 0; i < t.size(); i++) {
            int c = i % channels;
            t.data().put(i, (float) (offset + 0.1 * c + scale * (1 + c % 3) * r.nextGaussian()));
        }
        return t;
    }

    /** {mean, biased variance} per channel, two passes in double. */
    private static double[][] naiveMoments(Tensor x, int rows, int channels) {
        double[][] m = new double[2][channels];
        for (int i = 0; i < x.size(); i++) {
            m[0][i % channels] += x.data().get(i);
        }
        for (int c = 0; c < channels; c++) {
            m[0][c] /= rows;
        }
        for (int i = 0; i < x.size(); i++) {
            double d = x.data().get(i) - m[0][i % channels];
            m[1][i % channels] += d * d / rows;
        }
        return m;
    }

    @Test
    void momentsSumsAndInputGradientEqualNaiveDoubleLoops() {
        Random r = new Random(11);
        // few and many channels; rows not a multiple of a block; large enough for several threads and tiles
        int[][] cases = {{1001, 3}, {3 * 56 * 56 + 5, 64}, {2 * 49 + 1, 2048}, {8 * 28 * 28, 512}};
        for (int[] rc : cases) {
            int rows = rc[0];
            int channels = rc[1];
            String what = rows + " rows x " + channels + " channels";
            Tensor x = random(r, rows, channels, 3.0, 0.5);
            Tensor dy = random(r, rows, channels, 0.01, 0.2);
            double[][] expected = naiveMoments(x, rows, channels);
            double[][] moments = BatchNormKernels.channelMoments(x, rows, channels);
            float[] mean = BatchStatistics.toFloat(moments[0]);
            float[] istd = BatchStatistics.inverseStd(BatchStatistics.toFloat(moments[1]), 1e-5f);
            float[] s = new float[channels];
            double[] sumDy = new double[channels];
            double[] sumDyXhat = new double[channels];
            for (int c = 0; c < channels; c++) {
                assertEquals(expected[0][c], moments[0][c], 1e-6 * (1 + Math.abs(expected[0][c])), what + " mean " + c);
                assertEquals(expected[1][c], moments[1][c], 1e-5 * expected[1][c], what + " variance " + c);
                s[c] = 0.5f + 0.01f * c;
            }
            for (int i = 0; i < x.size(); i++) {
                int c = i % channels;
                sumDy[c] += dy.data().get(i);
                sumDyXhat[c] += dy.data().get(i) * ((double) x.data().get(i) - mean[c]) * istd[c];
            }
            double[][] sums = BatchNormKernels.gradientSums(dy, x, mean, istd, rows, channels, null);
            double[] dyScale = new double[channels];
            for (int c = 0; c < channels; c++) {
                double absDy = 0;
                for (int k = c; k < x.size(); k += channels) {
                    absDy += Math.abs(dy.data().get(k));
                }
                dyScale[c] = absDy;
                assertEquals(sumDy[c], sums[0][c], 1e-6 * absDy, what + " sum dy " + c);
                assertEquals(sumDyXhat[c], sums[1][c], 1e-5 * absDy, what + " sum dy xhat " + c);
            }
            Tensor dx = Tensor.zeros(rows, channels);
            BatchNormKernels.inputGradient(dy, x, mean, istd, s, sums, rows, dx, null);
            for (int i = 0; i < x.size(); i++) {
                int c = i % channels;
                double xhat = ((double) x.data().get(i) - mean[c]) * istd[c];
                double want = s[c] / (double) rows * (rows * (double) dy.data().get(i) - sumDy[c] - xhat * sumDyXhat[c]);
                double scale = s[c] * (Math.abs(dy.data().get(i)) + (1 + Math.abs(xhat)) * dyScale[c] / rows);
                assertEquals(want, dx.data().get(i), 1e-5 * scale, what + " dx " + i);
            }
        }
    }

    /** The layer on the fast path (at least MIN_CHANNELS channels): finite differences in training mode. */
    /** A bias gradient, the column sums of dz, by the fast path (64, 512 channels) and the loop (3): a naive double sum. */
    @Test
    void theBiasGradientEqualsANaiveDoubleSum() {
        Random r = new Random(12);
        for (int[] rc : new int[][] {{1001, 3}, {3 * 56 * 56 + 5, 64}, {8 * 28 * 28, 512}}) {
            int rows = rc[0];
            int channels = rc[1];
            Tensor dz = random(r, rows, channels, 0.01, 0.2);
            double[] naive = new double[channels];
            for (int i = 0; i < dz.size(); i++) {
                naive[i % channels] += dz.data().get(i);
            }
            Tensor db = Tensor.zeros(channels);
            Epilogue.biasGradient(dz.data(), rows, channels, db);
            for (int c = 0; c < channels; c++) {
                assertEquals(naive[c], db.data().get(c), 1e-6 * (1 + Math.abs(naive[c])), rows + " x " + channels + ", c " + c);
            }
            assertEquals(channels >= BatchNormKernels.MIN_CHANNELS,
                    BatchNormKernels.columnSums(dz.data(), rows, channels) != null, "the path for " + channels);
        }
    }

    @Test
    void theLayersTrainingGradientsOnTheFastPathMatchFiniteDifferences() {
        int channels = BatchNormKernels.MIN_CHANNELS + 4;
        assertTrue(channels >= BatchNormKernels.MIN_CHANNELS);
        BatchNormalization bn = new BatchNormalization().momentum(1.0);
        Tensor x = uniform(21, 2, 3, 4, channels);
        bn.build(Shapes.withoutBatch(x.shape()));
        TestTensors.randomizeWeights(bn, 5);
        GradientCheck.of(bn).inputs(x).training(true).assertMatches(2e-3);
    }

    /**
     * The layer on the fast path: the batch moments move the moving statistics as the double-precision
     * reference does (within 1e-6, as BatchNormalizationTest asks of the reference at 6 channels).
     */
    @Test
    void theMovingStatisticsOnTheFastPathEqualTheReferences() {
        int channels = 40;
        Random r = new Random(5);
        Tensor x = random(r, 3 * 4 * 5, channels, -1, 3);
        Tensor x4 = Tensor.of(x.toArray(), 3, 4, 5, channels);
        BatchNormalization fast = new BatchNormalization().momentum(0.9);
        BatchNormalization reference = new BatchNormalization().momentum(0.9);
        fast.build(new int[] {4, 5, channels});
        reference.build(new int[] {4, 5, channels});
        fast.forward(new Tensor[] {x4}, true);
        System.setProperty(BatchNormKernels.REFERENCE_PROPERTY, "true");
        try {
            reference.forward(new Tensor[] {x4}, true);
        } finally {
            System.clearProperty(BatchNormKernels.REFERENCE_PROPERTY);
        }
        for (int c = 0; c < channels; c++) {
            assertEquals(reference.movingMean().value().get(c), fast.movingMean().value().get(c), 1e-6, "moving_mean " + c);
            assertEquals(reference.movingVariance().value().get(c), fast.movingVariance().value().get(c), 1e-6,
                    "moving_variance " + c);
        }
    }
}
