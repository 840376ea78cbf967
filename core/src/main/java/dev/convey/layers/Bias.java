package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Scratch;

/**
 * The two bias kernels shared by Conv2D and Dense, whose outputs are matrices of {@code rows} output
 * positions by {@code cols} units/filters (the GEMM's C):
 * <pre>
 *   forward:   y[r, c] = f(y[r, c] + b[c])      (bias, then the fused activation, right after the GEMM;
 *                                               in inference also a folded batch norm and residual: Epilogue)
 *   backward:  dL/db[c] = sum_r dL/dz[r, c]     (z = pre-activation: the bias is added to every row)
 * </pre>
 */
final class Bias {

    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private Bias() {
    }

    /** The largest tile an epilogue is applied to at once: whole rows, about 4 {@link Scratch#FLOATS}. */
    private static final int MAX_TILE_FLOATS = 4 * Scratch.FLOATS;

    /**
     * The per-channel constants of an epilogue, bias b, scale s and shift t (each may be absent), every one
     * repeated over as many rows as the largest tile it is applied to. HotSpot vectorises a loop whose arrays
     * all share its index, y[i] = y[i] * s[i] + t[i], but not the same loop row by row, y[row + c] = y[row + c] *
     * s[c] + t[c] (measured on 256 channels: 0.09 against 0.45 to 0.9 ns a float). Layers keep them while their
     * sources are unchanged (see {@link #isOf}).
     */
    static final class Channels {

        static final Channels NONE = new Channels(null, null, 1);

        final float[] bias;
        final float[] scale;
        final float[] shift;
        final int span;
        private final float[] biasSource;
        private final float[][] scaleShiftSource;

        /** b (cols) and {s, t} (cols each), either may be null. */
        Channels(float[] b, float[][] scaleShift, int cols) {
            span = cols * Math.max(4, MAX_TILE_FLOATS / cols);
            biasSource = b;
            scaleShiftSource = scaleShift;
            bias = b == null ? null : repeated(b, span);
            scale = scaleShift == null ? null : repeated(scaleShift[0], span);
            shift = scaleShift == null ? null : repeated(scaleShift[1], span);
        }

        /** Whether these are the constants of exactly these arrays (the sources are cached until they change). */
        boolean isOf(float[] b, float[][] scaleShift) {
            return biasSource == b && scaleShiftSource == scaleShift;
        }

        private static float[] repeated(float[] v, int length) {
            float[] out = new float[length];
            for (int at = 0; at < length; at += v.length) {
                System.arraycopy(v, 0, out, at, v.length);
            }
            return out;
        }
    }

    /**
     * What follows a GEMM block in a forward pass, element by element:
     * <pre>
     *   y[r, c] = f( (y[r, c] + b[c]) * s[c] + t[c] + residual[r, c] )
     * </pre>
     * the bias, an inference-mode BatchNormalization folded in as a per-channel scale s and shift t (both in
     * {@link Channels}), the Add of a residual connection (null: none) and the activation. The same float
     * operations in the same order as running the layers one after the other, in one pass while the block is
     * in cache.
     */
    record Epilogue(Channels channels, FloatBuffer residual, ActivationFunction activation) {

        static final Epilogue NONE = new Epilogue(Channels.NONE, null, ActivationFunction.LINEAR);

        boolean isIdentity() {
            return channels.bias == null && channels.scale == null && residual == null
                    && activation == ActivationFunction.LINEAR;
        }
    }

    /** y[r, :] = f(y[r, :] + b) for rows [r0, r1) of a row-major matrix with {@code cols} columns. */
    static void addAndActivate(FloatBuffer y, int r0, int r1, int cols, Channels bias, ActivationFunction f) {
        apply(new Epilogue(bias, null, f), y, r0, r1, cols);
    }

    /** The epilogue on rows [r0, r1) of a row-major matrix y with {@code cols} columns (the residual's rows alike). */
    static void apply(Epilogue e, FloatBuffer y, int r0, int r1, int cols) {
        apply(e, y, y, r0, r1, cols);
    }

    /** y = the epilogue of x, rows [r0, r1) of two row-major matrices with {@code cols} columns (may be the same). */
    static void apply(Epilogue e, FloatBuffer x, FloatBuffer y, int r0, int r1, int cols) {
        if (e.isIdentity()) {
            if (x != y) {
                y.put(r0 * cols, x, r0 * cols, (r1 - r0) * cols);
            }
            return;
        }
        Parallel.range(r1 - r0, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (start, end) -> {
            int tileRows = Scratch.rowsPerTile(cols);
            float[] tile = Scratch.floats(0, tileRows * cols);
            float[] residual = e.residual() == null ? null : Scratch.floats(1, tileRows * cols);
            for (int r = r0 + start; r < r0 + end; r += tileRows) {
                int at = r * cols;
                int length = Math.min(tileRows, r0 + end - r) * cols;
                x.get(at, tile, 0, length);
                if (residual != null) {
                    e.residual().get(at, residual, 0, length);
                }
                apply(e, tile, residual, length, cols);
                y.put(at, tile, 0, length);
            }
        });
    }

    /**
     * The epilogue on the first {@code length} floats (whole rows of {@code cols}, at most the constants' span) of
     * an array, with the residual's values for them in {@code residual} (same layout; ignored without one).
     */
    static void apply(Epilogue e, float[] tile, float[] residual, int length, int cols) {
        Channels k = e.channels();
        if (length > k.span && (k.bias != null || k.scale != null)) {
            throw new IllegalStateException("epilogue tile of " + length + " floats, longer than its constants ("
                    + k.span + ")");
        }
        if (k.bias != null) {
            add(tile, k.bias, length);
        }
        if (k.scale != null) {
            scaleAndShift(tile, k.scale, k.shift, length);
        }
        if (e.residual() != null) {
            add(tile, residual, length);
        }
        e.activation().apply(tile, length, cols);
    }

    /** y[i] += x[i]. */
    private static void add(float[] y, float[] x, int length) {
        for (int i = 0; i < length; i++) {
            y[i] += x[i];
        }
    }

    /** y[i] = y[i] * s[i] + t[i]. */
    private static void scaleAndShift(float[] y, float[] s, float[] t, int length) {
        for (int i = 0; i < length; i++) {
            y[i] = y[i] * s[i] + t[i];
        }
    }

    /** db[c] = sum over the rows of dz[r, c], accumulated in double (per core, then merged). */
    static void gradient(FloatBuffer dz, int rows, int cols, Tensor db) {
        double[] total = new double[cols];
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (r0, r1) -> {
            double[] partial = new double[cols];
            int tileRows = Scratch.rowsPerTile(cols);
            float[] tile = Scratch.floats(0, tileRows * cols);
            for (int r = r0; r < r1; r += tileRows) {
                int length = Math.min(tileRows, r1 - r) * cols;
                dz.get(r * cols, tile, 0, length);
                for (int row = 0; row < length; row += cols) {
                    for (int c = 0; c < cols; c++) {
                        partial[c] += tile[row + c];
                    }
                }
            }
            synchronized (total) {
                for (int c = 0; c < cols; c++) {
                    total[c] += partial[c];
                }
            }
        });
        for (int c = 0; c < cols; c++) {
            db.data().put(c, (float) total[c]);
        }
    }
}
