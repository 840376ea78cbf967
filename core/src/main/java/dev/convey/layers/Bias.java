package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

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
            int from = (r0 + start) * cols;
            int to = (r0 + end) * cols;
            for (int row = from; row < to; row += cols) {
                if (b != null) {
                    addRow(y, row, b);
                }
                if (scaleShift != null) {
                    scaleShiftRow(y, row, scaleShift[0], scaleShift[1]);
                }
                f.forwardRows(y, row, 1, cols);
            }
        });
    }

    /** y[row + c] += b[c]. */
    private static void addRow(FloatBuffer y, int row, float[] b) {
        for (int c = 0; c < b.length; c++) {
            y.put(row + c, y.get(row + c) + b[c]);
        }
    }

    /** y[row + c] = y[row + c] * s[c] + t[c]. */
    private static void scaleShiftRow(FloatBuffer y, int row, float[] s, float[] t) {
        for (int c = 0; c < s.length; c++) {
            y.put(row + c, y.get(row + c) * s[c] + t[c]);
        }
    }

    /** db[c] = sum over the rows of dz[r, c], accumulated in double (per core, then merged). */
    static void gradient(FloatBuffer dz, int rows, int cols, Tensor db) {
        double[] total = new double[cols];
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (r0, r1) -> {
            double[] partial = new double[cols];
            for (int r = r0; r < r1; r++) {
                for (int c = 0; c < cols; c++) {
                    partial[c] += dz.get(r * cols + c);
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
