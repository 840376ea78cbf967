package dev.convey.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class BlasTest {

    private static FloatBuffer random(SplittableRandom rng, int n) {
        FloatBuffer b = Blas.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (float) (rng.nextDouble() * 2 - 1));
        }
        return b;
    }

    private static FloatBuffer copy(FloatBuffer src) {
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
            boolean ta = rng.nextBoolean();
            boolean tb = rng.nextBoolean();
            int m = 1 + rng.nextInt(70);
            int n = 1 + rng.nextInt(70);
            int k = 1 + rng.nextInt(300);
            // Sub-matrices inside larger buffers: padded leading dimensions and non-zero offsets.
            int lda = (ta ? m : k) + rng.nextInt(5);
            int ldb = (tb ? k : n) + rng.nextInt(5);
            int ldc = n + rng.nextInt(5);
            int offA = rng.nextInt(17), offB = rng.nextInt(17), offC = rng.nextInt(17);
            float alpha = trial % 3 == 0 ? 1f : (float) (rng.nextDouble() * 2 - 1);
            float beta = trial % 4 == 0 ? 0f : (float) (rng.nextDouble() * 2 - 1);
            FloatBuffer a = random(rng, offA + (ta ? k : m) * lda);
            FloatBuffer b = random(rng, offB + (tb ? n : k) * ldb);
            FloatBuffer c = random(rng, offC + m * ldc);
            FloatBuffer expected = copy(c);

            Blas.sgemm(ta, tb, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            ReferenceGemm.sgemm(ta, tb, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, expected, offC, ldc);

            for (int i = 0; i < c.capacity(); i++) {
                boolean inside = i >= offC && (i - offC) % ldc < n && (i - offC) / ldc < m;
                if (!inside) {
                    assertEquals(expected.get(i), c.get(i), 0f, "sgemm wrote outside C at index " + i);
                    continue;
                }
                // float32 accumulation of k products of numbers in [-1,1]: error grows like sqrt(k) * eps.
                double err = Math.abs(expected.get(i) - c.get(i)) / Math.sqrt(k);
                worst = Math.max(worst, err);
                assertTrue(err < 2e-6, "trial " + trial + " (" + m + "x" + n + "x" + k + ", transA=" + ta + ", transB="
                        + tb + ") differs at " + i + ": " + expected.get(i) + " vs " + c.get(i));
            }
        }
        System.out.printf("sgemm vs reference: largest error / sqrt(k) = %.3g%n", worst);
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
