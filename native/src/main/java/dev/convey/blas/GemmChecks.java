package dev.convey.blas;

import java.nio.FloatBuffer;

/** Argument checks shared by the native and the reference GEMM: every operand must fit inside its buffer. */
final class GemmChecks {

    private GemmChecks() {
    }

    static void check(boolean transA, boolean transB, int m, int n, int k,
                      FloatBuffer a, long offA, int lda, FloatBuffer b, long offB, int ldb,
                      FloatBuffer c, long offC, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm sizes must be non-negative, got m=" + m + " n=" + n + " k=" + k);
        }
        // Row-major storage: A is (rows x cols) = (m x k), or (k x m) when transposed.
        operand("A", a, offA, lda, transA ? k : m, transA ? m : k);
        operand("B", b, offB, ldb, transB ? n : k, transB ? k : n);
        operand("C", c, offC, ldc, m, n);
    }

    static void operand(String name, FloatBuffer buffer, long offset, int ld, int rows, int cols) {
        operand("sgemm", name, buffer, offset, ld, rows, cols);
    }

    /** The same check for an operand of {@code what} (sgemm, epilogue), named so in the message. */
    static void operand(String what, String name, FloatBuffer buffer, long offset, int ld, int rows, int cols) {
        if (buffer == null) {
            throw new IllegalArgumentException(what + " operand " + name + " is null");
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(what + " operand " + name + ": leading dimension " + ld
                    + " is smaller than its " + cols + " columns");
        }
        if (offset < 0) {
            throw new IllegalArgumentException(what + " operand " + name + ": negative offset " + offset);
        }
        long end = rows == 0 || cols == 0 ? offset : offset + (long) (rows - 1) * ld + cols;
        if (end > buffer.capacity()) {
            throw new IllegalArgumentException(what + " operand " + name + " (" + rows + "x" + cols + ", leading dimension "
                    + ld + ", offset " + offset + ") needs " + end + " floats but its buffer holds " + buffer.capacity());
        }
    }
}
