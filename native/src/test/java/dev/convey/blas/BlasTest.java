package dev.convey.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class BlasTest {

    static FloatBuffer random(SplittableRandom rng, int n) {
        FloatBuffer b = Blas.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (float) (rng.nextDouble() * 2 - 1));
        }
        return b;
    }

    static FloatBuffer copy(FloatBuffer src) {
        FloatBuffer b = Blas.allocate(src.capacity());
        for (int i = 0; i < src.capacity(); i++) {
            b.put(i, src.get(i));
        }
        return b;
    }

    @Test
    void openBlasMatchesReferenceOnRandomShapesTransposesAndOffsets() {
        SplittableRandom rng = new SplittableRandom(42);
        double worst = 0;
        for (int trial = 0; trial < 60; trial++) {
            float alpha = trial % 3 == 0 ? 1f : (float) (rng.nextDouble() * 2 - 1);
            float beta = trial % 4 == 0 ? 0f : (float) (rng.nextDouble() * 2 - 1);
            worst = Math.max(worst, compareWithReference(rng, "trial " + trial, rng.nextBoolean(), rng.nextBoolean(),
                    1 + rng.nextInt(70), 1 + rng.nextInt(70), 1 + rng.nextInt(300), alpha, beta));
        }
        System.out.printf("sgemm vs reference: largest error / sqrt(k) = %.3g%n", worst);
    }

    /** m = 1 and n = 1 take the sgemv path: every transpose, strides, k = 0, and beta = 0 over NaN garbage. */
    @Test
    void matrixVectorProductsMatchReference() {
        SplittableRandom rng = new SplittableRandom(7);
        int[][] mnk = {{1, 37, 300}, {41, 1, 250}, {1, 1, 90}, {1, 5, 0}, {6, 1, 0}};
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                for (float beta : new float[] {0f, 0.5f}) {
                    compareWithReference(rng, s[0] + "x" + s[1] + "x" + s[2] + " beta " + beta, t % 2 == 1, t >= 2,
                            s[0], s[1], s[2], -0.75f, beta);
                }
            }
        }
    }

    /**
     * Runs one product on OpenBLAS and on the reference, with padded leading dimensions and offsets, and checks
     * every float of C (untouched outside the sub-matrix). With beta = 0, C starts as NaN. Returns the largest
     * error / sqrt(k).
     */
    private static double compareWithReference(SplittableRandom rng, String label, boolean ta, boolean tb,
            int m, int n, int k, float alpha, float beta) {
        // Sub-matrices inside larger buffers: padded leading dimensions and non-zero offsets.
        int lda = Math.max(1, ta ? m : k) + rng.nextInt(5);
        int ldb = Math.max(1, tb ? k : n) + rng.nextInt(5);
        int ldc = n + rng.nextInt(5);
        int offA = rng.nextInt(17), offB = rng.nextInt(17), offC = rng.nextInt(17);
        FloatBuffer a = random(rng, offA + (ta ? k : m) * lda);
        FloatBuffer b = random(rng, offB + (tb ? n : k) * ldb);
        FloatBuffer c = random(rng, offC + m * ldc);
        FloatBuffer expected = copy(c);
        if (beta == 0f) {
            for (int i = 0; i < c.capacity(); i++) {
                boolean inside = i >= offC && (i - offC) % ldc < n && (i - offC) / ldc < m;
                c.put(i, inside ? Float.NaN : c.get(i));
            }
        }

        Blas.sgemm(ta, tb, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
        ReferenceGemm.sgemm(ta, tb, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, expected, offC, ldc);

        double worst = 0;
        for (int i = 0; i < c.capacity(); i++) {
            boolean inside = i >= offC && (i - offC) % ldc < n && (i - offC) / ldc < m;
            if (!inside) {
                assertEquals(expected.get(i), c.get(i), 0f, label + ": sgemm wrote outside C at index " + i);
                continue;
            }
            // float32 accumulation of k products of numbers in [-1,1]: error grows like sqrt(k) * eps.
            double err = Math.abs(expected.get(i) - c.get(i)) / Math.sqrt(Math.max(1, k));
            worst = Math.max(worst, err);
            assertTrue(err < 2e-6, label + " (" + m + "x" + n + "x" + k + ", transA=" + ta + ", transB="
                    + tb + ") differs at " + i + ": " + expected.get(i) + " vs " + c.get(i));
        }
        return worst;
    }

    @Test
    void betaZeroIgnoresGarbageInC() {
        FloatBuffer a = Blas.allocate(4), b = Blas.allocate(4), c = Blas.allocate(4);
        for (int i = 0; i < 4; i++) {
            a.put(i, i + 1);
            b.put(i, i == 0 || i == 3 ? 1 : 0);
            c.put(i, Float.NaN);
        }
        Blas.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertEquals(1f, c.get(0));
        assertEquals(2f, c.get(1));
        assertEquals(3f, c.get(2));
        assertEquals(4f, c.get(3));
    }

    @Test
    void operandOutsideItsBufferIsAJavaExceptionNotACrash() {
        FloatBuffer small = Blas.allocate(10), ok = Blas.allocate(100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Blas.sgemm(false, false, 5, 5, 5, 1f, small, 0, 5, ok, 0, 5, 0f, ok, 0, 5));
        assertTrue(e.getMessage().contains("operand A"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Blas.sgemm(false, false, 5, 5, 5, 1f, ok, 0, 4, ok, 0, 5, 0f, ok, 0, 5));
        assertThrows(IllegalArgumentException.class,
                () -> Blas.sgemm(false, false, 2, 2, 2, 1f, FloatBuffer.allocate(4), 0, 2, ok, 0, 2, 0f, ok, 0, 2));
    }

    @Test
    void threadCountCanBeSet() {
        int before = Blas.threads();
        Blas.setThreads(1);
        assertEquals(1, Blas.threads());
        Blas.setThreads(before);
        assertEquals(before, Blas.threads());
        assertTrue(Blas.describe().toLowerCase().contains("openblas"), Blas.describe());
    }
}
