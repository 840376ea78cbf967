package dev.convey.blas;

import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The one doorway from Convey to native code: single-precision GEMM from OpenBLAS, called through JavaCPP.
 *
 * <p>All matrices are row-major (C order), as every tensor in Convey is. Operands are direct, native-order
 * {@link FloatBuffer}s so that OpenBLAS reads the very memory the Java code wrote, without a copy; an offset
 * (in floats) picks a sub-matrix inside a larger buffer, and a leading dimension gives its row stride.
 *
 * <p>Every call checks that each operand lies inside its buffer before it crosses into native code, so a
 * shape bug is a Java exception rather than a crashed JVM. Two helpers do the rest: {@link BufferViews} hands
 * JavaCPP each operand as a view positioned at its offset, and {@link BlasThreads} owns OpenBLAS' thread count.
 * Layers do not call this class: they go through {@code dev.convey.tensor.Gemm}.
 */
public final class Blas {

    private static final int ROW_MAJOR;
    private static final int NO_TRANS;
    private static final int TRANS;

    static {
        try {
            Loader.load(openblas_nolapack.class);
        } catch (Throwable e) {
            throw new NativeLibraryError("Could not load the OpenBLAS native library through JavaCPP for platform '"
                    + Loader.getPlatform() + "'. Convey ships the natives of org.bytedeco:openblas for linux-x86_64 only;"
                    + " check that openblas-*-linux-x86_64.jar is on the class path. Cause: " + e, e);
        }
        ROW_MAJOR = openblas_nolapack.CblasRowMajor;
        NO_TRANS = openblas_nolapack.CblasNoTrans;
        TRANS = openblas_nolapack.CblasTrans;
    }

    private Blas() {
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C, where op(X) is X or its transpose.
     *
     * <p>op(A) is m x k, op(B) is k x n, C is m x n. A is stored m x k (or k x m when {@code transA}) with row
     * stride {@code lda} starting at float {@code offA} of {@code a}; likewise B and C. With beta = 0, C is
     * overwritten and need not be initialised.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float alpha, FloatBuffer a, long offA, int lda,
                             FloatBuffer b, long offB, int ldb,
                             float beta, FloatBuffer c, long offC, int ldc) {
        GemmChecks.check(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, c, offC, ldc);
        requireDirect("A", a);
        requireDirect("B", b);
        requireDirect("C", c);
        if (m == 0 || n == 0) {
            return;
        }
        BlasThreads.beforeCall();
        if (m == 1 || n == 1) {
            matrixVector(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            return;
        }
        try {
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
                    m, n, k, alpha, BufferViews.view(0, a, offA), lda, BufferViews.view(1, b, offB), ldb, beta, BufferViews.view(2, c, offC), ldc);
        } finally {
            // The buffers own the memory OpenBLAS just used: keep them alive until the call has returned.
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
        }
    }

    /**
     * A product with a single row (m = 1) or column (n = 1) is a matrix-vector product. OpenBLAS 0.3.26's sgemm
     * still packs the whole matrix operand into its blocked layout first, which costs several times what one
     * streaming pass of sgemv does (a batch-1 Dense layer of VGG16 reads a 411 MB kernel: ~5x faster as sgemv).
     * <pre>
     *   m = 1:  c[0, :] = alpha * op(B)^T a + beta * c     a = row 0 of op(A), stride 1 (lda if transA)
     *   n = 1:  c[:, 0] = alpha * op(A) b + beta * c       b = column 0 of op(B), stride ldb (1 if transB); c stride ldc
     * </pre>
     * With beta = 0 the result is zeroed first, so garbage (even NaN) in C is ignored as sgemm ignores it.
     */
    private static void matrixVector(boolean transA, boolean transB, int m, int n, int k,
                                     float alpha, FloatBuffer a, long offA, int lda,
                                     FloatBuffer b, long offB, int ldb,
                                     float beta, FloatBuffer c, long offC, int ldc) {
        boolean rowResult = m == 1;
        int length = rowResult ? n : m;
        int incC = rowResult ? 1 : ldc;
        if (beta == 0f) {
            for (int i = 0; i < length; i++) {
                c.put((int) (offC + (long) i * incC), 0f);
            }
        }
        if (k == 0) {
            scale(c, offC, incC, length, beta);
            return;
        }
        // The matrix operand and, in row-major cblas_sgemv terms, whether it is used transposed.
        FloatBuffer matrix = rowResult ? b : a;
        long offMatrix = rowResult ? offB : offA;
        int ld = rowResult ? ldb : lda;
        int rows = rowResult ? (transB ? n : k) : (transA ? k : m);
        int cols = rowResult ? (transB ? k : n) : (transA ? m : k);
        boolean transMatrix = rowResult ? !transB : transA;
        FloatBuffer vector = rowResult ? a : b;
        long offVector = rowResult ? offA : offB;
        int incVector = rowResult ? (transA ? lda : 1) : (transB ? 1 : ldb);
        try {
            openblas_nolapack.cblas_sgemv(ROW_MAJOR, transMatrix ? TRANS : NO_TRANS, rows, cols, alpha,
                    BufferViews.view(0, matrix, offMatrix), ld, BufferViews.view(1, vector, offVector), incVector, beta == 0f ? 1f : beta,
                    BufferViews.view(2, c, offC), incC);
        } finally {
            Reference.reachabilityFence(matrix);
            Reference.reachabilityFence(vector);
            Reference.reachabilityFence(c);
        }
    }

    /** c[i * inc] *= beta (an empty sum: C = beta * C). */
    private static void scale(FloatBuffer c, long off, int inc, int length, float beta) {
        for (int i = 0; i < length; i++) {
            int at = (int) (off + (long) i * inc);
            c.put(at, beta == 0f ? 0f : c.get(at) * beta);
        }
    }

    /** See {@link BlasThreads#singleThreaded}: OpenBLAS on one thread while {@code body} runs. */
    public static void singleThreaded(Runnable body) {
        BlasThreads.singleThreaded(body);
    }

    /** See {@link BlasThreads#setThreads}. */
    public static void setThreads(int threads) {
        BlasThreads.setThreads(threads);
    }

    /** See {@link BlasThreads#switches}. */
    public static long threadSwitches() {
        return BlasThreads.switches();
    }

    /** See {@link BlasThreads#threads}. */
    public static int threads() {
        return BlasThreads.threads();
    }

    /**
     * Which BLAS is loaded, with how many threads and, when the environment forces one, which of OpenBLAS' kernel
     * sets ({@code OPENBLAS_CORETYPE}, read by OpenBLAS when it loads), for logs and benchmark reports. The set
     * matters: on a 2-core AMD EPYC with AVX-512 (family 0x1A), OpenBLAS 0.3.26 picks its AVX-512 set (Cooperlake)
     * by itself, and {@code OPENBLAS_CORETYPE=Haswell} (AVX2) made convolution-sized products 1.3-1.9x slower
     * (2026-12-02).
     */
    public static String describe() {
        String coreType = System.getenv("OPENBLAS_CORETYPE");
        String version;
        try {
            version = Loader.getVersion("org.bytedeco", "openblas", openblas_nolapack.class);
        } catch (java.io.IOException e) {
            version = null;
        }
        return "OpenBLAS " + (version != null ? version : "(version unknown)") + " via JavaCPP, " + threads() + " threads"
                + (coreType == null || coreType.isEmpty() ? "" : ", OPENBLAS_CORETYPE=" + coreType);
    }

    /** A zero-filled direct buffer in native byte order, the kind of buffer {@link #sgemm} accepts. */
    public static FloatBuffer allocate(long floats) {
        if (floats < 0 || floats > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("Cannot allocate a buffer of " + floats + " floats (limit "
                    + Integer.MAX_VALUE / Float.BYTES + ")");
        }
        return java.nio.ByteBuffer.allocateDirect((int) floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    static void requireDirect(String name, FloatBuffer buffer) {
        if (!buffer.isDirect() || buffer.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("sgemm operand " + name + " must be a direct FloatBuffer in native byte order"
                    + " (use Blas.allocate); got " + (buffer.isDirect() ? "a direct buffer in " + buffer.order() : "a heap buffer"));
        }
    }
}
