package dev.convey.tensor;

import java.nio.FloatBuffer;

import dev.convey.blas.Blas;
import dev.convey.blas.PackedGemm;

/**
 * The engine's matrix product: {@link Blas#sgemm} with the work split over the cores by Convey itself.
 * <pre>
 *   C = alpha op(A) op(B) + beta C      (row-major; op(A) is m x k, op(B) is k x n, C is m x n)
 * </pre>
 * C is cut into one slice per core, rows when m >= n and columns otherwise, and each core multiplies its
 * slice with OpenBLAS on a single thread ({@link Blas#singleThreaded}).
 *
 * <p>This is the one GEMM door for layers, in two forms: {@link #sgemm} splits one product over the cores;
 * {@link #sgemmOnThisThread} computes one on the calling thread, for code that already runs one share of its
 * work per core ({@link #onEachCore}, {@link #shares}), as the convolution kernels do.
 *
 * <p>Why not OpenBLAS' own threads: after a multi-threaded call its idle workers spin for about 0.1 s before
 * they sleep, and Convey's own parallel loops (im2col, bias, pooling) and its convolutions, which split their
 * rows over the cores themselves, then share the cores with a spinning worker. Measured on a 3136 x 256 x 2304
 * product run right after multi-threaded calls: 146 GFLOP/s instead of 290 for both cores. Keeping every
 * engine GEMM single-threaded inside OpenBLAS means no worker ever spins.
 *
 * <p>Weights that stay the same across calls (a convolution's kernel in inference) can be packed once
 * ({@link #pack}) and multiplied with Convey's own kernel ({@link #sgemmPackedOnThisThread}, see
 * {@code dev.convey.blas.PackedGemm}), which OpenBLAS' C API cannot do: it packs B on every call.
 * {@value #PACKED_PROPERTY} = false turns that path off (read at every call, so one JVM can compare both).
 * There is no size threshold: measured on one thread (2-core AVX-512 EPYC, 2026-12-02), the packed product took
 * 0.62-0.97 the time of OpenBLAS' AVX-512 sgemm on every convolution shape tried, from 49 x 256 x 256 (0.64) and
 * 49 x 2048 x 512 (0.68) to 512 x 512 x 4608 (0.90-0.97) and 12544 x 64 x 27 (0.83); the AVX2 kernels forced
 * ({@code convey.packedGemm.isa=avx2}) took 0.66-1.01 the time of OpenBLAS' Haswell kernels
 * ({@code OPENBLAS_CORETYPE=Haswell}), the largest product being the 1.01.
 */
public final class Gemm {

    /** Below this many multiply-adds a product runs on the calling thread: a thread switch would cost more. */
    private static final long MIN_MACS_PER_THREAD = 1L << 18;

    private Gemm() {
    }

    /** As {@link Blas#sgemm}, with the same arguments and checks, computed on all cores. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float alpha, FloatBuffer a, long aOffset, int lda,
                             FloatBuffer b, long bOffset, int ldb,
                             float beta, FloatBuffer c, long cOffset, int ldc) {
        long macs = (long) m * n * k;
        int threads = (int) Math.min(Parallel.threads(), Math.max(1, macs / MIN_MACS_PER_THREAD));
        boolean splitRows = m >= n;
        int length = splitRows ? m : n;
        onEachCore(length, Math.max(1, length / threads), (s0, s1) -> {
            if (splitRows) {
                // rows s0..s1 of C come from rows s0..s1 of op(A): A's rows, or A's columns when transposed
                long aAt = aOffset + (transA ? s0 : (long) s0 * lda);
                Blas.sgemm(transA, transB, s1 - s0, n, k, alpha, a, aAt, lda, b, bOffset, ldb,
                        beta, c, cOffset + (long) s0 * ldc, ldc);
            } else {
                // columns s0..s1 of C come from columns s0..s1 of op(B): B's columns, or B's rows when transposed
                long bAt = bOffset + (transB ? (long) s0 * ldb : s0);
                Blas.sgemm(transA, transB, m, s1 - s0, k, alpha, a, aOffset, lda, b, bAt, ldb,
                        beta, c, cOffset + s0, ldc);
            }
        });
    }

    /** As {@link Blas#sgemm}, on the calling thread only: inside {@link #onEachCore} or {@link #shares}. */
    public static void sgemmOnThisThread(boolean transA, boolean transB, int m, int n, int k,
                                         float alpha, FloatBuffer a, long aOffset, int lda,
                                         FloatBuffer b, long bOffset, int ldb,
                                         float beta, FloatBuffer c, long cOffset, int ldc) {
        Blas.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /** The switch of the packed-weight path: {@code -Dconvey.packedGemm=false} restores OpenBLAS everywhere. */
    public static final String PACKED_PROPERTY = "convey.packedGemm";

    /** Whether layers should pack their weights ({@link #pack}): the kernels loaded and the switch is not off. */
    public static boolean packedEnabled() {
        return PackedGemm.available() && !"false".equals(System.getProperty(PACKED_PROPERTY));
    }

    /** {@code count} k x n row-major matrices, one after the other from float 0 of {@code b}, packed for the kernel. */
    public static PackedWeights pack(int count, int k, int n, FloatBuffer b) {
        return PackedWeights.pack(count, k, n, b);
    }

    /** As {@link #pack(int, int, int, FloatBuffer)}, into {@code previous}' memory when its sizes match. */
    public static PackedWeights pack(PackedWeights previous, int count, int k, int n, FloatBuffer b) {
        return PackedWeights.pack(previous, count, k, n, b);
    }

    /**
     * C (m x cols) = A (m x k, row stride lda) times columns [col0, col0 + cols) of packed matrix {@code index} of
     * {@code b} (k x n) + beta C, on the calling thread; col0 a multiple of {@link PackedWeights#panelWidth()}.
     * The same product as {@link #sgemmOnThisThread} with B unpacked (alpha 1, no transposes), to float rounding.
     */
    public static void sgemmPackedOnThisThread(int m, FloatBuffer a, long aOffset, int lda, PackedWeights b, int index,
                                               int col0, int cols, float beta, FloatBuffer c, long cOffset, int ldc) {
        PackedGemm.sgemm(m, a, aOffset, lda, b.matrix(index), col0, cols, beta, c, cOffset, ldc);
    }

    /**
     * As {@link #sgemmPackedOnThisThread}, each row of A read as runs of {@code run} floats {@code runStride} apart,
     * A[i][p] = a[aOffset + i lda + (p / run) runStride + p % run] (an implicit im2col, see
     * {@link PackedGemm#sgemmRuns}).
     */
    public static void sgemmPackedRunsOnThisThread(int m, FloatBuffer a, long aOffset, int lda, int run, long runStride,
                                                   PackedWeights b, int index, int col0, int cols, float beta,
                                                   FloatBuffer c, long cOffset, int ldc) {
        PackedGemm.sgemmRuns(m, a, aOffset, lda, run, runStride, b.matrix(index), col0, cols, beta, c, cOffset, ldc);
    }

    /**
     * {@link Parallel#range} for loops whose chunks multiply matrices: OpenBLAS runs single-threaded meanwhile,
     * so each chunk's {@link #sgemmOnThisThread} stays on its own core.
     */
    public static void onEachCore(int n, int minPerChunk, Parallel.RangeBody body) {
        Blas.singleThreaded(() -> Parallel.range(n, minPerChunk, body));
    }

    /** One thread's share of a split loop: share {@code share} of {@link Parallel#threads()} is [start, end). */
    @FunctionalInterface
    public interface ShareBody {
        void run(int share, int start, int end);
    }

    /**
     * The per-thread split: [0, n) cut into {@link Parallel#threads()} contiguous shares, share t being
     * [n t / T, n (t + 1) / T), each run on its own core with OpenBLAS single-threaded. The share number lets
     * the body use a workspace of its own.
     */
    public static void shares(int n, ShareBody body) {
        int threads = Parallel.threads();
        onEachCore(threads, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                body.run(t, (int) ((long) n * t / threads), (int) ((long) n * (t + 1) / threads));
            }
        });
    }
}
