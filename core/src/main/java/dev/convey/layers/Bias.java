package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Tiles;

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

    /**
     * What follows a GEMM block in a forward pass, element by element:
     * <pre>
     *   y[r, c] = f( (y[r, c] + b[c]) * s[c] + t[c] + residual[r, c] )
     * </pre>
     * the bias, an inference-mode BatchNormalization folded in as a per-channel scale s and shift t, the Add of a
     * residual connection, and the activation; each part may be absent (null). The same float operations in the
     * same order as running the layers one after the other, in one pass while the block is in cache.
     */
    record Epilogue(float[] bias, float[][] scaleShift, FloatBuffer residual, ActivationFunction activation) {

        boolean isIdentity() {
            return bias == null && scaleShift == null && residual == null && activation == ActivationFunction.LINEAR;
        }
    }

    /** y[r, :] = f(y[r, :] + b) for rows [r0, r1) of a row-major matrix with {@code cols} columns; no bias if null. */
    static void addAndActivate(FloatBuffer y, int r0, int r1, int cols, Tensor bias, ActivationFunction f) {
        apply(new Epilogue(bias == null ? null : bias.toArray(), null, null, f), y, r0, r1, cols);
    }

    /** The epilogue on rows [r0, r1) of a row-major matrix y with {@code cols} columns (the residual's rows alike). */
    static void apply(Epilogue e, FloatBuffer y, int r0, int r1, int cols) {
        if (e.isIdentity()) {
            return;
        }
        Parallel.range(r1 - r0, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (start, end) -> {
            int tileRows = Tiles.rowsPerTile(cols);
            float[] tile = Tiles.scratch(0, tileRows * cols);
            float[] residual = e.residual() == null ? null : Tiles.scratch(1, tileRows * cols);
            for (int r = r0 + start; r < r0 + end; r += tileRows) {
                int at = r * cols;
                int length = Math.min(tileRows, r0 + end - r) * cols;
                y.get(at, tile, 0, length);
                if (residual != null) {
                    e.residual().get(at, residual, 0, length);
                }
                apply(e, tile, residual, length, cols);
                y.put(at, tile, 0, length);
            }
        });
    }

    /**
     * The epilogue on the first {@code length} floats (whole rows of {@code cols}) of an array, with the residual's
     * values for them in {@code residual} (same layout; ignored without a residual).
     */
    static void apply(Epilogue e, float[] tile, float[] residual, int length, int cols) {
        float[] b = e.bias();
        float[][] scaleShift = e.scaleShift();
        for (int row = 0; row < length; row += cols) {
            if (b != null) {
                addRow(tile, row, b);
            }
            if (scaleShift != null) {
                scaleShiftRow(tile, row, scaleShift[0], scaleShift[1]);
            }
        }
        if (e.residual() != null) {
            for (int i = 0; i < length; i++) {
                tile[i] += residual[i];
            }
        }
        e.activation().apply(tile, length, cols);
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
