package dev.convey.blas;

import java.nio.FloatBuffer;

/**
 * The textbook triple loop, in double precision, with the same contract as {@link Blas#sgemm}. Tests use it to
 * cross-check OpenBLAS; it is also the clearest statement of what GEMM computes:
 *
 * <pre>  C[i][j] = alpha * sum_p op(A)[i][p] * op(B)[p][j] + beta * C[i][j]</pre>
 */
public final class ReferenceGemm {

    private ReferenceGemm() {
    }

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float alpha, FloatBuffer a, long offA, int lda,
                             FloatBuffer b, long offB, int ldb,
                             float beta, FloatBuffer c, long offC, int ldc) {
        GemmChecks.check(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, c, offC, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float aip = a.get((int) (offA + (transA ? (long) p * lda + i : (long) i * lda + p)));
                    float bpj = b.get((int) (offB + (transB ? (long) j * ldb + p : (long) p * ldb + j)));
                    sum += (double) aip * bpj;
                }
                int ci = (int) (offC + (long) i * ldc + j);
                // BLAS semantics: with beta = 0, C is not read (it may hold NaN).
                double old = beta == 0 ? 0 : (double) beta * c.get(ci);
                c.put(ci, (float) (alpha * sum + old));
            }
        }
    }
}
