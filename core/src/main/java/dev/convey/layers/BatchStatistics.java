package dev.convey.layers;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * The reference per-channel loops of {@link BatchNormalization} in training mode: the batch's moments, and the
 * sums and the input gradient of the backward pass. Rows are output positions (every axis but the last), columns
 * the channels; every term is summed in double, one chunk of rows per core, the chunks added in order. The layer
 * runs the faster {@link BatchNormKernels}, which equal these within float rounding (BatchNormKernelsTest) and
 * fall back to them under {@code -Dconvey.batchnorm.reference=true}.
 */
final class BatchStatistics {

    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private BatchStatistics() {
    }

    /**
     * The batch mean mu_c and biased variance var_c of each channel in one pass over x (the loop is
     * memory-bound: a second pass would cost a third more). With a per-channel shift k_c (the first row) and
     * d = x - k_c, summed in double:
     * <pre>
     *   mu_c  = k_c + (1/n) sum_r d
     *   var_c = (1/n) sum_r d^2 - ((1/n) sum_r d)^2
     * </pre>
     * The shift keeps the two sums of the size of the spread of x rather than of its mean, so the subtraction
     * does not cancel (the "shifted data" variance algorithm).
     */
    static double[][] channelMoments(Tensor x, int rows, int channels) {
        float[] shift = new float[channels];
        x.data().get(0, shift);
        double[] sums = sumOverRows(rows, channels, 2 * channels, (r0, r1, acc) -> {
            Scratch.forEachTile(r0 * channels, r1 - r0, channels, x.data(), null, null, null, (xs, unused, unused2, length) -> {
                for (int base = 0; base < length; base += channels) {
                    for (int c = 0; c < channels; c++) {
                        double d = xs[base + c] - shift[c];
                        acc[c] += d;
                        acc[channels + c] += d * d;
                    }
                }
            });
        });
        return shiftedMoments(sums, shift, rows);
    }

    /** {mu_c, var_c} from sums = {sum_r d, sum_r d^2} of d = x - shift_c over n rows (see channelMoments). */
    static double[][] shiftedMoments(double[] sums, float[] shift, int rows) {
        int channels = shift.length;
        double[][] out = new double[2][channels];
        for (int c = 0; c < channels; c++) {
            double meanShifted = sums[c] / rows;
            out[0][c] = shift[c] + meanShifted;
            out[1][c] = Math.max(0.0, sums[channels + c] / rows - meanShifted * meanShifted);
        }
        return out;
    }

    /** 1 / sqrt(var_c + eps). */
    static float[] inverseStd(float[] variance, float epsilon) {
        float[] out = new float[variance.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = (float) (1.0 / Math.sqrt(variance[c] + epsilon));
        }
        return out;
    }

    /** sums[0][c] = sum_r dy[r, c]; sums[1][c] = sum_r dy[r, c] * xhat[r, c]. */
    static double[][] gradientSums(Tensor dy, Tensor x, float[] mean, float[] istd, int rows, int channels) {
        double[] both = sumOverRows(rows, channels, 2 * channels, (r0, r1, acc) ->
                Scratch.forEachTile(r0 * channels, r1 - r0, channels, dy.data(), x.data(), null, null,
                        (dys, xs, unused, length) -> {
                    for (int base = 0; base < length; base += channels) {
                        for (int c = 0; c < channels; c++) {
                            double g = dys[base + c];
                            acc[c] += g;
                            acc[channels + c] += g * (xs[base + c] - mean[c]) * istd[c];
                        }
                    }
                }));
        double[][] out = new double[2][channels];
        System.arraycopy(both, 0, out[0], 0, channels);
        System.arraycopy(both, channels, out[1], 0, channels);
        return out;
    }

    /** dx[r, c] = s_c / n * (n * dy[r, c] - sum_dy_c - xhat[r, c] * sum_dy_xhat_c), where s_c = gamma_c * istd_c. */
    static void batchStatisticsInputGradient(Tensor dy, Tensor x, float[] mean, float[] istd, float[] s,
            double[][] sums, int rows, Tensor dx) {
        int channels = s.length;
        float[] sumDy = toFloat(sums[0]);
        float[] sumDyXhat = toFloat(sums[1]);
        float n = rows;
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / channels), (r0, r1) ->
                Scratch.forEachTile(r0 * channels, r1 - r0, channels, dy.data(), x.data(), null, dx.data(),
                        (dys, xs, unused, length) -> {
                    for (int base = 0; base < length; base += channels) {
                        for (int c = 0; c < channels; c++) {
                            float xhat = (xs[base + c] - mean[c]) * istd[c];
                            float g = n * dys[base + c] - sumDy[c] - xhat * sumDyXhat[c];
                            dys[base + c] = s[c] / n * g;
                        }
                    }
                }));
    }

    static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** Adds the sums of rows [rowStart, rowEnd) into {@code acc}. */
    @FunctionalInterface
    interface RowRangeSum {
        void add(int rowStart, int rowEnd, double[] acc);
    }

    /**
     * Per-channel sums over the rows, split into one chunk of rows per core. Each chunk sums into its own array
     * and the chunks are added in order afterwards, so the result does not depend on thread timing.
     */
    static double[] sumOverRows(int rows, int channels, int width, RowRangeSum body) {
        int chunks = Math.max(1, Math.min(Parallel.threads(), (int) ((long) rows * channels / MIN_FLOATS_PER_CHUNK)));
        double[][] partial = new double[chunks][width];
        Parallel.range(chunks, 1, (k0, k1) -> {
            for (int k = k0; k < k1; k++) {
                body.add((int) ((long) rows * k / chunks), (int) ((long) rows * (k + 1) / chunks), partial[k]);
            }
        });
        double[] total = new double[width];
        for (double[] p : partial) {
            for (int i = 0; i < width; i++) {
                total[i] += p[i];
            }
        }
        return total;
    }

    /** moving_c -= (moving_c - correction * batch_c) * (1 - momentum): Keras' assign_moving_average. */
    static void updateMovingAverage(Tensor moving, double[] batch, double correction, float momentum) {
        for (int c = 0; c < batch.length; c++) {
            float m = moving.data().get(c);
            moving.data().put(c, m - (m - (float) (batch[c] * correction)) * (1f - momentum));
        }
    }

    /** gradient_c = (float) values_c. */
    static void writeGradient(Tensor gradient, double[] values) {
        for (int c = 0; c < values.length; c++) {
            gradient.data().put(c, (float) values[c]);
        }
    }

    /** y[r, c] = x[r, c] * s_c + t_c: the convolution epilogue's scale and shift (see Epilogue.Channels). */
    static void scaleAndShift(Tensor x, float[] s, float[] t, Tensor y) {
        int channels = s.length;
        Epilogue.Bound e = new Epilogue.Bound(new Epilogue.Channels(null, new float[][] {s, t}, channels), null,
                ActivationFunction.LINEAR);
        Epilogue.apply(e, x.data(), y.data(), 0, x.size() / channels, channels);
    }
}
