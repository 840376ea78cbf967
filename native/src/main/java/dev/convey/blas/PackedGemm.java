package dev.convey.blas;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * C = A B + beta C with B packed once ({@link PackedMatrix}): Convey's own micro-kernels
 * ({@code native/src/main/cpp/convey_gemm.h}), for weights that stay the same across many products. OpenBLAS'
 * C API packs B again on every call, which costs most where m is small (ResNet50's 7x7 maps at batch 1: a
 * 49 x 2048 x 512 product). On the calling thread only: the engine splits work over the cores itself.
 * <pre>
 *   C[i][j] = sum_p A[i][p] B[p][col0 + j] + beta C[i][j]     i < m, j < cols, p < k = B's rows
 * </pre>
 * A is row-major with row stride lda (read in place), C row-major with row stride ldc; with beta = 0, C is not
 * read. Equals {@link ReferenceGemm} (alpha 1, no transposes) to float rounding. Every size and offset is
 * checked here, before native code runs, so a bad shape is an exception, never a crash.
 *
 * <p>Kernel sets ({@link Isa}): the best one the CPU runs, AVX-512 or AVX2 + FMA or portable C, one library for
 * all; the system property {@code convey.packedGemm.isa} (avx512, avx2, scalar) forces a lesser one. It is read
 * when a matrix is packed, and the matrix keeps its kernel set (its panel width depends on it), so weights packed
 * before the property changed are multiplied with the set they were packed for.
 */
public final class PackedGemm {

    /** The kernel sets of convey_gemm.h (codes as there). */
    public enum Isa {
        SCALAR(0, 16), AVX2(1, 16), AVX512(2, 32);

        final int code;
        private final int panelWidth;

        Isa(int code, int panelWidth) {
            this.code = code;
            this.panelWidth = panelWidth;
        }

        int panelWidth() {
            return panelWidth;
        }

        /** {@code best}, or a lesser set the system property names (avx512, avx2, scalar; read at each call). */
        static Isa byProperty(String property, Isa best) {
            String forced = System.getProperty(property);
            if (forced == null || forced.isEmpty()) {
                return best;
            }
            Isa isa;
            try {
                isa = valueOf(forced.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(property + " must be avx512, avx2 or scalar, got '" + forced + "'");
            }
            return isa.code <= best.code ? isa : best;
        }
    }

    private static final Isa BEST = GemmKernels.LOAD_FAILURE == null ? Isa.values()[GemmKernels.convey_gemm_best_isa()] : null;

    private PackedGemm() {
    }

    /** Whether the kernels' native library loaded (it is built with the native module: gcc/g++). */
    public static boolean available() {
        return BEST != null;
    }

    /** The best kernel set of this CPU (null when the library did not load). */
    public static Isa best() {
        return BEST;
    }

    /** The kernel set new matrices are packed for: {@link #best()}, or a lesser one {@code convey.packedGemm.isa} names. */
    public static Isa isa() {
        requireLoaded();
        return Isa.byProperty("convey.packedGemm.isa", BEST);
    }

    /**
     * C (m x cols, from float offC, row stride ldc) = A (m x k, from offA, row stride lda) times columns
     * [col0, col0 + cols) of B + beta C, k being B's rows; col0 must be a multiple of B's panel width.
     */
    public static void sgemm(int m, FloatBuffer a, long offA, int lda, PackedMatrix b, int col0, int cols,
                             float beta, FloatBuffer c, long offC, int ldc) {
        GemmChecks.operand("A", a, offA, lda, m, b == null ? 0 : b.rows());
        sgemmRuns(m, a, offA, lda, b == null ? 1 : Math.max(1, b.rows()), 0, b, col0, cols, beta, c, offC, ldc);
    }

    /**
     * As {@link #sgemm}, with each row of A read as runs of {@code run} floats, {@code runStride} floats apart
     * (an implicit im2col: a convolution's patch rows read from the image itself, see convey_gemm.h):
     * <pre>
     *   A[i][p] = a[offA + i lda + (p / run) runStride + p % run]       p < k
     * </pre>
     * Rows and runs may overlap (stride < kernel); run = k is {@link #sgemm}'s plain A.
     */
    public static void sgemmRuns(int m, FloatBuffer a, long offA, int lda, int run, long runStride, PackedMatrix b,
                                 int col0, int cols, float beta, FloatBuffer c, long offC, int ldc) {
        requireLoaded();
        if (b == null) {
            throw new IllegalArgumentException("packed sgemm: B is null");
        }
        int k = b.rows();
        if (m < 0 || cols < 0 || col0 < 0 || (long) col0 + cols > b.columns()) {
            throw new IllegalArgumentException("packed sgemm: m=" + m + ", columns [" + col0 + ", " + ((long) col0 + cols)
                    + ") of a " + k + " x " + b.columns() + " matrix");
        }
        if (col0 % b.panelWidth() != 0) {
            throw new IllegalArgumentException("packed sgemm: first column " + col0 + " is not a multiple of the panel width "
                    + b.panelWidth());
        }
        runs(a, offA, lda, run, runStride, m, k);
        GemmChecks.operand("C", c, offC, ldc, m, cols);
        Blas.requireDirect("A", a);
        Blas.requireDirect("C", c);
        if (m == 0 || cols == 0) {
            return;
        }
        try {
            GemmKernels.convey_gemm_packed_runs(b.isa().code, m, cols, k, BufferViews.view(0, a, offA), lda, run,
                    runStride, BufferViews.view(1, b.panels(), (long) col0 * k), beta, BufferViews.view(2, c, offC), ldc);
        } finally {
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
        }
    }

    /** A's reads lie in its buffer: the last float of the last run of the last row, with non-negative strides. */
    private static void runs(FloatBuffer a, long offA, int lda, int run, long runStride, int m, int k) {
        if (a == null) {
            throw new IllegalArgumentException("sgemm operand A is null");
        }
        if (offA < 0 || lda < 0 || run < 1 || runStride < 0) {
            throw new IllegalArgumentException("packed sgemm: A's offset " + offA + ", row stride " + lda + ", run " + run
                    + ", run stride " + runStride + " must be non-negative (the run positive)");
        }
        if (m == 0 || k == 0) {
            return;
        }
        // the last row's end: its last run's, or (runs may overlap, runStride < run) the full run before it
        long runs = (k + run - 1) / run;
        long last = (runs - 1) * runStride + (k - (runs - 1) * run);
        long beforeLast = runs > 1 ? (runs - 2) * runStride + run : 0;
        long end = offA + (long) (m - 1) * lda + Math.max(last, beforeLast);
        if (end > a.capacity()) {
            throw new IllegalArgumentException("packed sgemm: A (" + m + " rows of " + k + " floats, row stride " + lda
                    + ", runs of " + run + " every " + runStride + ", offset " + offA + ") needs " + end
                    + " floats but its buffer holds " + a.capacity());
        }
    }

    static void requireLoaded() {
        if (BEST == null) {
            throw new NativeLibraryError("Convey's GEMM kernels (libjniGemmKernels.so, built from convey_gemm.h with g++)"
                    + " did not load: " + GemmKernels.LOAD_FAILURE, GemmKernels.LOAD_FAILURE);
        }
    }
}
