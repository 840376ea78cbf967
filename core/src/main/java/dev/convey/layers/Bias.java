package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Tiles;

/**
 * The two bias kernels shared by Conv2D and Dense, whose outputs are matrices of {@code rows} output
 * positions by {@code cols} units/filters (the GEMM's C):
 * <pre>
 *   forward:   y[r, c] = f(y[r, c] + b[c])      (bias, then the fused activation, right after the GEMM)
 *   backward:  dL/db[c] = sum_r dL/dz[r, c]     (z = pre-activation: the bias is added to every row)
 * </pre>
 */
final class Bias {

    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private Bias() {
    }

    /** y[r, :] = f(y[r, :] + b) for rows [r0, r1) of a row-major matrix with {@code cols} columns; no bias if null. */
    static void addAndActivate(FloatBuffer y, int r0, int r1, int cols, Tensor bias, ActivationFunction f) {
        addScaleShiftAndActivate(y, r0, r1, cols, bias, null, f);
    }

    /**
     * y[r, c] = f((y[r, c] + b[c]) * s[c] + t[c]): the bias, then an inference-mode BatchNormalization folded in
     * as a per-channel scale s and shift t (null: none), then the activation. The same float operations in the
     * same order as running the three layers one after the other, but in one pass while the block is in cache.
     */
    static void addScaleShiftAndActivate(FloatBuffer y, int r0, int r1, int cols, Tensor bias, float[][] scaleShift,
            ActivationFunction f) {
        if (bias == null && scaleShift == null && f == ActivationFunction.LINEAR) {
            return;
        }
        float[] b = bias == null ? null : bias.toArray();
        Parallel.range(r1 - r0, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (start, end) -> {
            int tileRows = Tiles.rowsPerTile(cols);
            float[] tile = Tiles.scratch(0, tileRows * cols);
            for (int r = r0 + start; r < r0 + end; r += tileRows) {
                int at = r * cols;
                int length = Math.min(tileRows, r0 + end - r) * cols;
                y.get(at, tile, 0, length);
                addScaleShiftAndActivate(tile, length, cols, b, scaleShift, f);
                y.put(at, tile, 0, length);
            }
        });
    }

    /** The same on the first {@code length} floats (whole rows of {@code cols}) of an array; no bias if b is null. */
    static void addScaleShiftAndActivate(float[] tile, int length, int cols, float[] b, float[][] scaleShift,
            ActivationFunction f) {
        for (int row = 0; row < length; row += cols) {
            if (b != null) {
                addRow(tile, row, b);
            }
            if (scaleShift != null) {
                scaleShiftRow(tile, row, scaleShift[0], scaleShift[1]);
            }
        }
        f.apply(tile, length, cols);
    }

    /** y[row + c] += b[c]. */
    private static void addRow(float[] y, int row, float[] b) {
        for (int c = 0; c < b.length; c++) {
            y[row + c] += b[c];
        }
    }

    /** y[row + c] = y[row + c] * s[c] + t[c]. */
    private static void scaleShiftRow(float[] y, int row, float[] s, float[] t) {
        for (int c = 0; c < s.length; c++) {
            y[row + c] = y[row + c] * s[c] + t[c];
        }
    }

    /** db[c] = sum over the rows of dz[r, c], accumulated in double (per core, then merged). */
    static void gradient(FloatBuffer dz, int rows, int cols, Tensor db) {
        double[] total = new double[cols];
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (r0, r1) -> {
            double[] partial = new double[cols];
            int tileRows = Tiles.rowsPerTile(cols);
            float[] tile = Tiles.scratch(0, tileRows * cols);
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
