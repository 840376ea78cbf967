package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * The fast loops of {@link BatchNormalization} in training mode, equal (within float rounding) to the
 * double-precision references in {@link BatchStatistics}: {@link #channelMoments} to
 * {@link BatchStatistics#channelMoments}, {@link #gradientSums} to {@link BatchStatistics#gradientSums} and
 * {@link #inputGradient} to {@link BatchStatistics#batchStatisticsInputGradient}.
 *
 * <p>Rows are positions (every axis but the last), columns the channels: NHWC keeps a row's channels contiguous.
 * The loops run over a tile of whole rows copied out of the buffer, element j of the tile being channel
 * j % channels, with the same index j into every array: per-channel values (shift, mean, scale) are repeated to the
 * tile's length, and each thread sums into tile-long accumulators, folded into per-channel totals at its end.
 * HotSpot C2 (JDK 17) turns such loops into SIMD code, but not a loop over c indexing a tile at
 * {@code row * channels + c} while it stores into a per-channel array (measured: 0.8 ns per element for that and
 * for the references' double sums, against 0.2 ns indexed alike, at 512 channels). The references sum in double;
 * here the tile-long sums are float with Kahan's compensation (the error stays about 2^-23 of the sum of the
 * terms' magnitudes, whatever their number; a plain float sum of k terms errs by up to k times that, which
 * BatchNormalizationTest's moving variance noticed at k = 24), folded into double. The moments sum values shifted by
 * a per-channel k_c (the first row), of the size of the spread rather than of the mean. The threads' totals are
 * added in order, so the results do not depend on thread timing. Below {@link #MIN_CHANNELS} channels the
 * references run.
 *
 * <p>A relu fused after the batch norm in training (models' TrainingFusion): {@link #scaleShiftRelu} writes
 * y = relu(x * s_c + t_c), the batch norm's {@code scaleAndShift} followed by {@code ActivationFunction.RELU}'s
 * forward, in one pass; backward, {@link #gradientSums} and {@link #inputGradient} take the forward's {s, t}
 * ({@code relu}) and mask each tile of dL/dy as relu's backward does, g = dy * [y > 0], with y recomputed from the
 * x they read anyway ({@link #reluMask}: the same float expression as the forward, so the same y), rather than
 * reading y or a masked copy of dy: the backward reads 2 + 3 streams instead of relu's 3 and the batch norm's
 * 2 + 3, the forward 2 instead of 4. The same floats in the same order as the two layers one by one: bit for bit.
 */
final class BatchNormKernels {

    /** System property: {@code true} runs the references instead, read at every call (for A/B measurements). */
    static final String REFERENCE_PROPERTY = "convey.batchnorm.reference";

    static final int MIN_CHANNELS = 16;
    /** About this many floats per tile (whole rows, at least one): the tile and its accumulators stay in L1/L2. */
    private static final int TILE_FLOATS = 1 << 10;
    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private BatchNormKernels() {
    }

    private static boolean reference(int channels) {
        return channels < MIN_CHANNELS || Boolean.getBoolean(REFERENCE_PROPERTY);
    }

    /**
     * {mu_c, var_c}: with k_c = x[0, c] and d = x - k_c, mu_c = k_c + (1/n) sum_r d and
     * var_c = (1/n) sum_r d^2 - ((1/n) sum_r d)^2 (biased), as {@link BatchStatistics#channelMoments}.
     */
    static double[][] channelMoments(Tensor x, int rows, int channels) {
        if (reference(channels)) {
            return BatchStatistics.channelMoments(x, rows, channels);
        }
        float[] first = new float[channels];
        x.data().get(0, first);
        float[] shift = Scratch.repeat(first, new float[tileLength(channels)]);
        double[] sums = tileSums(rows, channels, x.data(), null, (xs, unused, n, d, s, q, es, eq) -> {
            for (int j = 0; j < n; j++) {
                d[j] = xs[j] - shift[j];
            }
            kahan(d, s, es, n);
            for (int j = 0; j < n; j++) {
                d[j] *= d[j];
            }
            kahan(d, q, eq, n);
        });
        return BatchStatistics.shiftedMoments(sums, first, rows);
    }

    /**
     * sum_r a[r, c] per channel, as {@link Epilogue#biasGradient}'s loop (a convolution's or dense layer's bias
     * gradient); null where the reference runs (below {@link #MIN_CHANNELS}, or under the switch): the caller's loop.
     */
    static double[] columnSums(FloatBuffer a, int rows, int channels) {
        if (reference(channels)) {
            return null;
        }
        double[] sums = tileSums(rows, channels, a, null, (as, unused, n, d, s, q, es, eq) -> kahan(as, s, es, n));
        return Arrays.copyOf(sums, channels);
    }

    /** Whether the fast kernels (not the references) run for this many channels: a fused relu's mask needs them. */
    static boolean fast(int channels) {
        return !reference(channels);
    }

    /**
     * {sum_r dy[r, c], sum_r dy[r, c] * xhat[r, c]} with xhat = (x - mu_c) * istd_c, as
     * {@link BatchStatistics#gradientSums}: the second as istd_c * sum_r dy * (x - mu_c). With {@code relu} = {s, t}
     * (only where {@link #fast}), dy is first masked by a fused relu: dy * [relu(x * s_c + t_c) > 0].
     */
    static double[][] gradientSums(Tensor dy, Tensor x, float[] mean, float[] istd, int rows, int channels,
            float[][] relu) {
        if (reference(channels)) {
            requireFast(relu);
            return BatchStatistics.gradientSums(dy, x, mean, istd, rows, channels);
        }
        int length = tileLength(channels);
        float[] mu = Scratch.repeat(mean, new float[length]);
        float[][] mask = reluTiles(relu, length);
        double[] sums = tileSums(rows, channels, dy.data(), x.data(), (g, xs, n, d, s, q, es, eq) -> {
            reluMask(mask, g, xs, n);
            kahan(g, s, es, n);
            for (int j = 0; j < n; j++) {
                d[j] = g[j] * (xs[j] - mu[j]);
            }
            kahan(d, q, eq, n);
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
     * k_c = -s_c * sum_dy_c / n. One pass: reads dy and x, writes dx (which may be dy). With {@code relu}, dy is
     * first masked as in {@link #gradientSums}.
     */
    static void inputGradient(Tensor dy, Tensor x, float[] mean, float[] istd, float[] s, double[][] sums, int rows,
            Tensor dx, float[][] relu) {
        int channels = s.length;
        if (reference(channels)) {
            requireFast(relu);
            BatchStatistics.batchStatisticsInputGradient(dy, x, mean, istd, s, sums, rows, dx);
            return;
        }
        float[] b = new float[channels];
        float[] k = new float[channels];
        for (int c = 0; c < channels; c++) {
            b[c] = (float) (-s[c] * (double) istd[c] * sums[1][c] / rows);
            k[c] = (float) (-s[c] * sums[0][c] / rows);
        }
        int length = tileLength(channels);
        float[] st = Scratch.repeat(s, new float[length]);
        float[] mt = Scratch.repeat(mean, new float[length]);
        float[] bt = Scratch.repeat(b, new float[length]);
        float[] kt = Scratch.repeat(k, new float[length]);
        float[][] mask = reluTiles(relu, length);
        mapTiles(rows, channels, dy.data(), x.data(), dx.data(), (g, xs, n) -> {
            reluMask(mask, g, xs, n);
            for (int j = 0; j < n; j++) {
                g[j] = st[j] * g[j] + (xs[j] - mt[j]) * bt[j] + kt[j];
            }
        });
    }

    /**
     * y = relu(x * s_c + t_c): the batch norm's forward {@code scaleAndShift} (Epilogue's y = x * s + t) followed by
     * relu's (max(v, 0), {@code ActivationFunction.applyReference}), in one pass. x and y may be the same.
     */
    static void scaleShiftRelu(Tensor x, float[] s, float[] t, Tensor y) {
        int channels = s.length;
        float[][] st = reluTiles(new float[][] {s, t}, tileLength(channels));
        float[] sr = st[0];
        float[] tr = st[1];
        mapTiles(x.size() / channels, channels, x.data(), null, y.data(), (v, unused, n) -> {
            for (int j = 0; j < n; j++) {
                v[j] = Math.max(v[j] * sr[j] + tr[j], 0f);
            }
        });
    }

    /**
     * g = dy * [y > 0] of the tile, y = relu(x * s + t) recomputed as {@link #scaleShiftRelu} does (so the very y
     * the forward wrote), by relu's own branch-free mask ({@code ActivationFunction.whereYPositive}); nothing if
     * {@code mask} is null.
     */
    private static void reluMask(float[][] mask, float[] g, float[] xs, int n) {
        if (mask == null) {
            return;
        }
        float[] sr = mask[0];
        float[] tr = mask[1];
        for (int j = 0; j < n; j++) {
            g[j] = ActivationFunction.whereYPositive(Math.max(xs[j] * sr[j] + tr[j], 0f), g[j]);
        }
    }

    /** {s, t} per channel repeated to tiles of {@code length}, or null for null. */
    private static float[][] reluTiles(float[][] relu, int length) {
        return relu == null ? null
                : new float[][] {Scratch.repeat(relu[0], new float[length]), Scratch.repeat(relu[1], new float[length])};
    }

    private static void requireFast(float[][] relu) {
        if (relu != null) {
            throw new IllegalArgumentException("a fused relu's mask needs the fast kernels (see fast(channels))");
        }
    }

    /** Changes one tile in place: a (n floats of whole rows, written back), with b's same floats (null if none). */
    @FunctionalInterface
    interface TileMap {
        void map(float[] a, float[] b, int n);
    }

    /** out = body(a, b) tile by tile over all rows, one chunk of rows per core (out may be a). */
    private static void mapTiles(int rows, int channels, FloatBuffer a, FloatBuffer b, FloatBuffer out, TileMap body) {
        int length = tileLength(channels);
        int tileRows = length / channels;
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / channels), (r0, r1) -> {
            float[] as = new float[length];
            float[] bs = b == null ? null : new float[length];
            for (int r = r0; r < r1; r += tileRows) {
                int at = r * channels;
                int n = Math.min(tileRows, r1 - r) * channels;
                a.get(at, as, 0, n);
                if (bs != null) {
                    b.get(at, bs, 0, n);
                }
                body.map(as, bs, n);
                out.put(at, as, 0, n);
            }
        });
    }

    /** Floats in a tile of whole rows: about {@link #TILE_FLOATS}, at least one row. */
    private static int tileLength(int channels) {
        return Math.max(1, TILE_FLOATS / channels) * channels;
    }

    /** sum += v with Kahan's compensation (the true sum is sum - err), element by element over n. */
    private static void kahan(float[] v, float[] sum, float[] err, int n) {
        for (int j = 0; j < n; j++) {
            float u = v[j] - err[j];
            float t = sum[j] + u;
            err[j] = (t - sum[j]) - u;
            sum[j] = t;
        }
    }

    /**
     * Adds one tile's terms (n floats of whole rows of each operand, a and b) into the tile-long compensated float
     * sums s and q (true sums s - es, q - eq); d is a scratch tile.
     */
    @FunctionalInterface
    interface TileBody {
        void add(float[] a, float[] b, int n, float[] d, float[] s, float[] q, float[] es, float[] eq);
    }

    /**
     * Two per-channel sums over all rows of a (and b, may be null): {s_0..s_{C-1}, q_0..q_{C-1}} in double. One chunk
     * of rows per core, a tile at a time summed by {@code body} into tile-long float sums, which the chunk folds per
     * channel (element j into channel j % C) into its double totals at the end.
     */
    private static double[] tileSums(int rows, int channels, FloatBuffer a, FloatBuffer b, TileBody body) {
        int length = tileLength(channels);
        int tileRows = length / channels;
        int chunks = Math.max(1, Math.min(Parallel.threads(), (int) ((long) rows * channels / MIN_FLOATS_PER_CHUNK)));
        double[][] partial = new double[chunks][2 * channels];
        Parallel.range(chunks, 1, (k0, k1) -> {
            float[] as = new float[length];
            float[] bs = b == null ? null : new float[length];
            float[] d = new float[length];
            for (int k = k0; k < k1; k++) {
                float[] s = new float[length];
                float[] q = new float[length];
                float[] es = new float[length];
                float[] eq = new float[length];
                int r1 = (int) ((long) rows * (k + 1) / chunks);
                for (int r = (int) ((long) rows * k / chunks); r < r1; r += tileRows) {
                    int n = Math.min(tileRows, r1 - r) * channels;
                    a.get(r * channels, as, 0, n);
                    if (bs != null) {
                        b.get(r * channels, bs, 0, n);
                    }
                    body.add(as, bs, n, d, s, q, es, eq);
                }
                double[] acc = partial[k];
                for (int j = 0; j < length; j++) {
                    acc[j % channels] += (double) s[j] - es[j];
                    acc[channels + j % channels] += (double) q[j] - eq[j];
                }
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
}
