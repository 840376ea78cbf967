package dev.convey.blas;

import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The fused epilogue of a GEMM in one native call, in place on the output rows
 * ({@code native/src/main/cpp/convey_epilogue.h}):
 * <pre>
 *   y[i][j] = f( ((x[i][j] + b[j]) * s[j] + t[j]) + r[i][j] )      i &lt; rows, j &lt; cols
 * </pre>
 * b (bias), s and t (a folded batch norm) per column and r (a residual) each optional; x and y may be the same
 * rows. The float operations before f are the Java epilogue's ({@code dev.convey.layers.Epilogue}), in its order;
 * the piecewise-linear activations are the Java kernels' float operations (bit for bit), the transcendental ones
 * the double formulas of {@code ActivationFunction.value} rounded once to float (within 1 ulp). Every size and
 * offset is checked here, before native code runs, so a bad shape is an exception, never a crash.
 *
 * <p>Kernel sets: the best one the CPU runs ({@link PackedGemm#best()}: AVX-512, AVX2, portable C); the system
 * property {@code convey.nativeEpilogue.isa} (avx512, avx2, scalar), read at each call, forces a lesser one.
 */
public final class NativeEpilogue {

    /** The activations the kernel computes (codes as in convey_epilogue.h; names as ActivationFunction's). */
    public enum Activation {
        LINEAR, RELU, RELU6, LEAKY_RELU, HARD_SIGMOID, HARD_SILU, SOFTSIGN, SIGMOID, SILU, ELU, SELU, EXPONENTIAL, TANH
    }

    private NativeEpilogue() {
    }

    /** Whether the kernel's native library (and the GEMM's, whose CPU check it shares) loaded. */
    public static boolean available() {
        return EpilogueKernels.LOAD_FAILURE == null && PackedGemm.available();
    }

    /** The kernel set a call runs now: {@link PackedGemm#best()}, or a lesser one {@code convey.nativeEpilogue.isa} names. */
    public static PackedGemm.Isa isa() {
        requireLoaded();
        return PackedGemm.Isa.byProperty("convey.nativeEpilogue.isa", PackedGemm.best());
    }

    /**
     * The epilogue over rows x cols: x from float offX (row stride ldx) into y from offY (row stride ldy; y may be
     * x), with bias, scale and shift (cols floats each from their index 0, scale and shift both or neither) and
     * residual (from offR, row stride ldr) each null when absent. Every buffer direct, in native byte order.
     */
    public static void apply(Activation f, int rows, int cols, FloatBuffer x, long offX, int ldx, FloatBuffer y,
                             long offY, int ldy, FloatBuffer bias, FloatBuffer scale, FloatBuffer shift,
                             FloatBuffer residual, long offR, int ldr) {
        requireLoaded();
        checkShape(f, rows, cols, scale != null, shift != null);
        GemmChecks.operand("epilogue", "x", x, offX, ldx, rows, cols);
        GemmChecks.operand("epilogue", "y", y, offY, ldy, rows, cols);
        requireDirect("x", x);
        requireDirect("y", y);
        if (residual != null) {
            GemmChecks.operand("epilogue", "residual", residual, offR, ldr, rows, cols);
            requireDirect("residual", residual);
        }
        constants("bias", bias, cols);
        constants("scale", scale, cols);
        constants("shift", shift, cols);
        if (rows == 0 || cols == 0) {
            return;
        }
        try {
            EpilogueKernels.convey_epilogue(isa().ordinal(), f.ordinal(), rows, cols, BufferViews.view(0, x, offX), ldx,
                    BufferViews.view(1, y, offY), ldy, view(3, bias), view(4, scale), view(5, shift),
                    residual == null ? null : BufferViews.view(2, residual, offR), ldr);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(y);
            Reference.reachabilityFence(bias);
            Reference.reachabilityFence(scale);
            Reference.reachabilityFence(shift);
            Reference.reachabilityFence(residual);
        }
    }

    /**
     * The epilogue in place over the first rows x cols floats of y (rows of cols floats, no gaps), with the
     * per-column bias, scale and shift (their first cols floats) and the residual (laid out as y) each null when
     * absent: for a tile already in an array. The arrays are pinned for the call, not copied.
     */
    public static void apply(Activation f, int rows, int cols, float[] y, float[] bias, float[] scale, float[] shift,
                             float[] residual) {
        requireLoaded();
        checkShape(f, rows, cols, scale != null, shift != null);
        long floats = (long) rows * cols;
        length("y", y, floats);
        if (residual != null) {
            length("residual", residual, floats);
        }
        if (bias != null) {
            length("bias", bias, cols);
        }
        if (scale != null) {
            length("scale", scale, cols);
            length("shift", shift, cols);
        }
        if (floats == 0) {
            return;
        }
        EpilogueKernels.convey_epilogue(isa().ordinal(), f.ordinal(), rows, cols, y, cols, y, cols, bias, scale, shift,
                residual, cols);
    }

    private static void checkShape(Activation f, int rows, int cols, boolean scale, boolean shift) {
        if (f == null) {
            throw new IllegalArgumentException("epilogue: the activation is null (LINEAR is the identity)");
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("epilogue sizes must be non-negative, got rows=" + rows + " cols=" + cols);
        }
        if (scale != shift) {
            throw new IllegalArgumentException("epilogue: a scale needs a shift and a shift a scale");
        }
    }

    private static void length(String name, float[] a, long floats) {
        if (a == null || a.length < floats) {
            throw new IllegalArgumentException("epilogue operand " + name + " needs " + floats + " floats, has "
                    + (a == null ? "none (null)" : a.length));
        }
    }

    private static void constants(String name, FloatBuffer b, int cols) {
        if (b != null) {
            GemmChecks.operand("epilogue", name, b, 0, Math.max(1, cols), 1, cols);
            requireDirect(name, b);
        }
    }

    private static FloatBuffer view(int operand, FloatBuffer constants) {
        return constants == null ? null : BufferViews.view(operand, constants, 0);
    }

    private static void requireDirect(String name, FloatBuffer buffer) {
        if (!buffer.isDirect() || buffer.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("epilogue operand " + name + " must be a direct FloatBuffer in native byte order");
        }
    }

    private static void requireLoaded() {
        if (!available()) {
            throw new NativeLibraryError("Convey's epilogue kernel (libjniEpilogueKernels.so, built from convey_epilogue.h"
                    + " with g++) did not load: " + EpilogueKernels.LOAD_FAILURE, EpilogueKernels.LOAD_FAILURE);
        }
    }
}
