package dev.convey.blas;

import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import org.bytedeco.javacpp.FloatPointer;
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
 * shape bug is a Java exception rather than a crashed JVM.
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
        // JavaCPP maps each direct buffer to its native address; position() adds the float offset.
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b); FloatPointer pc = new FloatPointer(c)) {
            pa.position(offA);
            pb.position(offB);
            pc.position(offC);
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
                    m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        } finally {
            // The buffers own the memory OpenBLAS just used: keep them alive until the call has returned.
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
        }
    }

    /** Sets how many threads OpenBLAS uses for each GEMM (it defaults to the number of cores). */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("OpenBLAS thread count must be at least 1, got " + threads);
        }
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(threads);
    }

    /**
     * The number of threads OpenBLAS currently uses. Until {@link #setThreads} is called the presets report -1,
     * which means OpenBLAS' own default: one thread per core.
     */
    public static int threads() {
        int threads = org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** Which BLAS is loaded and with how many threads, for logs and benchmark reports. */
    public static String describe() {
        return "OpenBLAS " + openblas_nolapack.class.getPackage().getImplementationVersion() + " via JavaCPP, "
                + threads() + " threads";
    }

    /** A zero-filled direct buffer in native byte order, the kind of buffer {@link #sgemm} accepts. */
    public static FloatBuffer allocate(long floats) {
        if (floats < 0 || floats > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("Cannot allocate a buffer of " + floats + " floats (limit "
                    + Integer.MAX_VALUE / Float.BYTES + ")");
        }
        return java.nio.ByteBuffer.allocateDirect((int) floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static void requireDirect(String name, FloatBuffer buffer) {
        if (!buffer.isDirect() || buffer.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("sgemm operand " + name + " must be a direct FloatBuffer in native byte order"
                    + " (use Blas.allocate); got " + (buffer.isDirect() ? "a direct buffer in " + buffer.order() : "a heap buffer"));
        }
    }
}
