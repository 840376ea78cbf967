package dev.convey.layers;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * The fast loops of {@link BatchNormalization} in training mode, equal (within float rounding) to the
 * double-precision references in {@link BatchStatistics}: {@link #channelMoments} to
 * {@link BatchStatistics#channelMoments}, {@link #gradientSums} to {@link BatchStatistics#gradientSums} and
 * {@link #inputGradient} to {@link BatchStatistics#batchStatisticsInputGradient}.
 *
 * <p>Rows are positions (every axis but the last), columns the channels: NHWC keeps a channel's values
 * {@code channels} floats apart, so every inner loop runs over c = 0..channels-1 on arrays indexed from 0, which
 * HotSpot C2 turns into SIMD code. The references sum in double element by element, which C2 does not vectorise
 * (float to double conversions); here each thread sums {@link #BLOCK_ROWS} rows per channel in float with Kahan's
 * compensation (the error of a block's sum stays about 2^-23 of the sum of the terms' magnitudes, whatever the
 * block's length; a plain float sum of k terms errs by up to k times that, which BatchNormalizationTest's moving
 * variance noticed at k = 24), then adds that block's sums into double totals. The moments sum values shifted by a
 * per-channel k_c (the first row) so that they are of the size of the spread, not of the mean. The threads' totals are added in order, so the results
 * do not depend on thread timing.
 */
final class BatchNormKernels {

    /** System property: {@code true} runs the references instead, read at every call (for A/B measurements). */
    static final String REFERENCE_PROPERTY = "convey.batchnorm.reference";

    /** Rows summed in float before their sums go into the double totals. */
    static final int BLOCK_ROWS = 32;
    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private BatchNormKernels() {
    }

    /**
     * {mu_c, var_c}: with k_c = x[0, c] and d = x - k_c, mu_c = k_c + (1/n) sum_r d and
     * var_c = (1/n) sum_r d^2 - ((1/n) sum_r d)^2 (biased), as {@link BatchStatistics#channelMoments}.
     */
    static double[][] channelMoments(Tensor x, int rows, int channels) {
        if (Boolean.getBoolean(REFERENCE_PROPERTY)) {
            return BatchStatistics.channelMoments(x, rows, channels);
        }
        float[] shift = new float[channels];
        x.data().get(0, shift);
        double[] sums = blockSums(rows, channels, x, null, (xs, unused, base, length, s, q, es, eq) -> {
            for (int at = base; at < base + length; at += channels) {
                for (int c = 0; c < channels; c++) {
                    float d = xs[at + c] - shift[c];
                    float u = d - es[c];   // Kahan: es, eq hold what s, q lost
                    float t = s[c] + u;
                    es[c] = (t - s[c]) - u;
                    s[c] = t;
                    float v = d * d - eq[c];
                    float w = q[c] + v;
                    eq[c] = (w - q[c]) - v;
                    q[c] = w;
                }
            }
        });
        double[][] out = new double[2][channels];
        for (int c = 0; c < channels; c++) {
            double meanShifted = sums[c] / rows;
            out[0][c] = shift[c] + meanShifted;
            out[1][c] = Math.max(0.0, sums[channels + c] / rows - meanShifted * meanShifted);
        }
        return out;
    }

    /**
     * {sum_r dy[r, c], sum_r dy[r, c] * xhat[r, c]} with xhat = (x - mu_c) * istd_c, as
     * {@link BatchStatistics#gradientSums}: the second as istd_c * sum_r dy * (x - mu_c).
     */
    static double[][] gradientSums(Tensor dy, Tensor x, float[] mean, float[] istd, int rows, int channels) {
        if (Boolean.getBoolean(REFERENCE_PROPERTY)) {
            return BatchStatistics.gradientSums(dy, x, mean, istd, rows, channels);
        }
        double[] sums = blockSums(rows, channels, dy, x, (dys, xs, base, length, s, q, es, eq) -> {
            for (int at = base; at < base + length; at += channels) {
                for (int c = 0; c < channels; c++) {
                    float g = dys[at + c];
                    float u = g - es[c];   // Kahan, as in channelMoments
                    float t = s[c] + u;
                    es[c] = (t - s[c]) - u;
                    s[c] = t;
                    float v = g * (xs[at + c] - mean[c]) - eq[c];
                    float w = q[c] + v;
                    eq[c] = (w - q[c]) - v;
                    q[c] = w;
                }
            }
        });
        double[][] out = new double[2][channels];
        for (int c = 0; c < channels; c++) {
            out[0][c] = sums[c];
            out[1][c] = sums[channels + c] * istd[c];
        }
        return out;
    }

    /**
     * dx = s_c / n * (n * dy - sum_dy_c - xhat * sum_dy_xhat_c) with s_c = gamma_c * istd_c, as
     * {@link BatchStatistics#batchStatisticsInputGradient}, rearranged per channel into
     * dx = s_c * dy + (x - mu_c) * b_c + k_c, with b_c = -s_c * istd_c * sum_dy_xhat_c / n and
     * k_c = -s_c * sum_dy_c / n. One pass: reads dy and x, writes dx (which may be dy).
     */
    static void inputGradient(Tensor dy, Tensor x, float[] mean, float[] istd, float[] s, double[][] sums, int rows,
            Tensor dx) {
        if (Boolean.getBoolean(REFERENCE_PROPERTY)) {
            BatchStatistics.batchStatisticsInputGradient(dy, x, mean, istd, s, sums, rows, dx);
            return;
        }
        int channels = s.length;
        float[] b = new float[channels];
        float[] k = new float[channels];
        for (int c = 0; c < channels; c++) {
            b[c] = (float) (-s[c] * (double) istd[c] * sums[1][c] / rows);
            k[c] = (float) (-s[c] * sums[0][c] / rows);
        }
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / channels), (r0, r1) ->
                Scratch.forEachTile(r0 * channels, r1 - r0, channels, dy.data(), x.data(), null, dx.data(),
                        (dys, xs, unused, length) -> {
                    for (int at = 0; at < length; at += channels) {
                        for (int c = 0; c < channels; c++) {
                            dys[at + c] = s[c] * dys[at + c] + (xs[at + c] - mean[c]) * b[c] + k[c];
                        }
                    }
                }));
    }

    /**
     * Adds the per-channel terms of the rows of {@code a} (and {@code b}) in [base, base + length) into the
     * compensated float sums s and q (Kahan: the true sum is s - es).
     */
    @FunctionalInterface
    interface BlockBody {
        void add(float[] a, float[] b, int base, int length, float[] s, float[] q, float[] es, float[] eq);
    }

    /**
     * Two per-channel sums over all rows of a (and b, may be null): {s_0..s_{C-1}, q_0..q_{C-1}} in double. One chunk
     * of rows per core, each copied a tile at a time ({@link Scratch#forEachTile}); within a tile {@link #BLOCK_ROWS}
     * rows at a time summed in float by {@code body}, then added into the chunk's double totals.
     */
    private static double[] blockSums(int rows, int channels, Tensor a, Tensor b, BlockBody body) {
        int chunks = Math.max(1, Math.min(Parallel.threads(), (int) ((long) rows * channels / MIN_FLOATS_PER_CHUNK)));
        double[][] partial = new double[chunks][2 * channels];
        Parallel.range(chunks, 1, (k0, k1) -> {
            float[] s = new float[channels];
            float[] q = new float[channels];
            float[] es = new float[channels];
            float[] eq = new float[channels];
            for (int k = k0; k < k1; k++) {
                int r0 = (int) ((long) rows * k / chunks);
                int r1 = (int) ((long) rows * (k + 1) / chunks);
                double[] acc = partial[k];
                int[] pending = {0};   // rows in s and q not yet in acc
                Scratch.forEachTile(r0 * channels, r1 - r0, channels, a.data(), b == null ? null : b.data(), null, null,
                        (as, bs, unused, length) -> {
                    for (int base = 0; base < length; ) {
                        int n = Math.min(BLOCK_ROWS - pending[0], (length - base) / channels);
                        body.add(as, bs, base, n * channels, s, q, es, eq);
                        base += n * channels;
                        pending[0] += n;
                        if (pending[0] == BLOCK_ROWS) {
                            flush(s, q, es, eq, acc, channels);
                            pending[0] = 0;
                        }
                    }
                });
                flush(s, q, es, eq, acc, channels);
            }
        });
        double[] total = new double[2 * channels];
        for (double[] p : partial) {
            for (int i = 0; i < total.length; i++) {
                total[i] += p[i];
            }
        }
        return total;
    }

    /** acc += {s - es, q - eq}; then all four are 0. */
    private static void flush(float[] s, float[] q, float[] es, float[] eq, double[] acc, int channels) {
        for (int c = 0; c < channels; c++) {
            acc[c] += (double) s[c] - es[c];
            acc[channels + c] += (double) q[c] - eq[c];
            s[c] = 0f;
            q[c] = 0f;
            es[c] = 0f;
            eq[c] = 0f;
        }
    }
}
