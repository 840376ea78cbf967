package dev.convey.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Convey's packed GEMM against the double-precision triple loop, for every kernel set this CPU runs. */
class PackedGemmTest {

    /** The kernel sets up to the best one of this machine. */
    private static List<PackedGemm.Isa> isas() {
        assertTrue(PackedGemm.available(), "the GEMM kernels' library must load");
        List<PackedGemm.Isa> isas = new ArrayList<>();
        for (PackedGemm.Isa isa : PackedGemm.Isa.values()) {
            if (isa.code <= PackedGemm.best().code) {
                isas.add(isa);
            }
        }
        return isas;
    }

    /**
     * C = A Bpacked[:, col0:col0+cols] + beta C against ReferenceGemm on the same operands; A and C sit at offsets
     * inside larger buffers with row strides beyond their widths. Returns the largest error / sqrt(k).
     */
    private static double compare(PackedGemm.Isa isa, SplittableRandom rng, int m, int n, int k, int col0, int cols,
                                  float beta) {
        return compare(isa, rng, m, n, k, col0, cols, beta, false);
    }

    /** As above; {@code repacked}: B is packed into panels that first held another matrix ({@link PackedMatrix#repack}). */
    private static double compare(PackedGemm.Isa isa, SplittableRandom rng, int m, int n, int k, int col0, int cols,
                                  float beta, boolean repacked) {
        int lda = Math.max(1, k) + rng.nextInt(3);
        int ldb = n + rng.nextInt(3);
        int ldc = cols + rng.nextInt(3);
        long offA = rng.nextInt(5);
        long offB = rng.nextInt(5);
        long offC = rng.nextInt(5);
        FloatBuffer a = BlasTest.random(rng, (int) offA + m * lda + 1);
        FloatBuffer b = BlasTest.random(rng, (int) offB + k * ldb + 1);
        FloatBuffer c = BlasTest.random(rng, (int) offC + m * ldc + 1);
        if (beta == 0f) {
            for (int i = 0; i < c.capacity(); i++) {
                c.put(i, Float.NaN);   // with beta = 0, C is not read
            }
        }
        FloatBuffer expected = BlasTest.copy(c);
        ReferenceGemm.sgemm(false, false, m, cols, k, 1f, a, offA, lda, b, offB + col0, ldb, beta, expected, offC, ldc);
        PackedMatrix packed;
        if (repacked) {
            packed = PackedMatrix.pack(isa, k, n, BlasTest.random(rng, (int) offB + k * ldb + 1), offB, ldb);
            packed.repack(b, offB, ldb);
        } else {
            packed = PackedMatrix.pack(isa, k, n, b, offB, ldb);
        }
        PackedGemm.sgemm(m, a, offA, lda, packed, col0, cols, beta, c, offC, ldc);
        double worst = 0;
        String where = isa + " m=" + m + " n=" + n + " k=" + k + " columns " + col0 + "+" + cols + " beta=" + beta;
        for (int i = 0; i < c.capacity(); i++) {
            long row = (i - offC) / ldc;
            long col = (i - offC) % ldc;
            boolean inside = i >= offC && row < m && col < cols;
            if (!inside) {
                assertEquals(expected.get(i), c.get(i), 0f, where + ": float " + i + " outside C changed");
                continue;
            }
            double error = Math.abs(expected.get(i) - c.get(i));
            assertTrue(error <= 1e-5 * Math.max(1, k), where + ": C[" + row + "][" + col + "] = " + c.get(i)
                    + ", reference " + expected.get(i));
            worst = Math.max(worst, error / Math.sqrt(Math.max(1, k)));
        }
        return worst;
    }

    @Test
    void everyKernelSetMatchesTheReferenceOnRaggedShapesOffsetsAndBetas() {
        for (PackedGemm.Isa isa : isas()) {
            SplittableRandom rng = new SplittableRandom(7);
            double worst = 0;
            int[] sizes = {1, 2, 3, 5, 6, 7, 11, 12, 13, 16, 17, 25, 31, 32, 33, 47, 64, 95};
            for (int m : sizes) {
                int n = sizes[rng.nextInt(sizes.length)];
                int k = sizes[rng.nextInt(sizes.length)];
                worst = Math.max(worst, compare(isa, rng, m, n, k, 0, n, 0f));
                worst = Math.max(worst, compare(isa, rng, m, n, k, 0, n, 1f));
            }
            for (int trial = 0; trial < 12; trial++) {
                // a few hundred in each dimension: several k-blocks, row blocks and panels, ragged at each end
                int m = 1 + rng.nextInt(300);
                int n = 1 + rng.nextInt(300);
                int k = 1 + rng.nextInt(700);
                float beta = trial % 3 == 0 ? 0f : trial % 3 == 1 ? 1f : (float) (rng.nextDouble() * 2 - 1);
                worst = Math.max(worst, compare(isa, rng, m, n, k, 0, n, beta));
            }
            System.out.printf("packed sgemm %s vs reference: largest error / sqrt(k) = %.3g%n", isa, worst);
        }
    }

    /**
     * A read as runs (an implicit im2col): C = A B with A[i][p] = a[offA + i lda + (p / run) runStride + p % run],
     * overlapping rows and runs, against ReferenceGemm on that A copied out as a plain matrix; k up to a few
     * thousand, so that the k-blocks (384) start inside runs and runs are longer or shorter than a block.
     */
    @Test
    void rowsOfRunsAreTheProductOfTheMatrixTheyDescribe() {
        for (PackedGemm.Isa isa : isas()) {
            SplittableRandom rng = new SplittableRandom(11);
            for (int trial = 0; trial < 40; trial++) {
                int m = 1 + rng.nextInt(trial < 20 ? 30 : 200);
                int n = 1 + rng.nextInt(100);
                int run = 1 + rng.nextInt(trial % 2 == 0 ? 30 : 900);
                int runs = 1 + rng.nextInt(7);
                int k = (runs - 1) * run + 1 + rng.nextInt(run);   // the last run may be short
                int lda = rng.nextInt(2 * run + 1);                // 0: every row the same
                long runStride = rng.nextInt(3 * run + 1);
                long offA = rng.nextInt(5);
                long needed = 0;
                for (int p = 0; p < k; p++) {
                    needed = Math.max(needed, offA + (long) (m - 1) * lda + (p / run) * runStride + p % run + 1);
                }
                FloatBuffer a = BlasTest.random(rng, (int) needed);   // A's last float is the buffer's last
                FloatBuffer plain = BlasTest.random(rng, m * k);
                for (int i = 0; i < m; i++) {
                    for (int p = 0; p < k; p++) {
                        plain.put(i * k + p, a.get((int) (offA + (long) i * lda + (p / run) * runStride + p % run)));
                    }
                }
                FloatBuffer b = BlasTest.random(rng, k * n);
                float beta = trial % 3 == 0 ? 0f : 0.5f;
                FloatBuffer c = BlasTest.random(rng, m * n);
                FloatBuffer expected = BlasTest.copy(c);
                ReferenceGemm.sgemm(false, false, m, n, k, 1f, plain, 0, k, b, 0, n, beta, expected, 0, n);
                PackedGemm.sgemmRuns(m, a, offA, lda, run, runStride, PackedMatrix.pack(isa, k, n, b, 0, n), 0, n,
                        beta, c, 0, n);
                for (int i = 0; i < m * n; i++) {
                    assertEquals(expected.get(i), c.get(i), 1e-5 * k, isa + " m=" + m + " n=" + n + " k=" + k + " run="
                            + run + " lda=" + lda + " runStride=" + runStride + ": C float " + i);
                }
            }
            // a read past A's buffer is an exception, not a crash
            FloatBuffer small = BlasTest.random(rng, 100);
            PackedMatrix b = PackedMatrix.pack(isa, 20, 8, BlasTest.random(rng, 160), 0, 8);
            assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemmRuns(4, small, 0, 10, 10, 70, b, 0, 8, 0f,
                    BlasTest.random(rng, 32), 0, 8));
        }
    }

    /** New weights packed into the old panels (a training step) give the product with the new weights only. */
    @Test
    void repackingReplacesTheOldMatrix() {
        for (PackedGemm.Isa isa : isas()) {
            SplittableRandom rng = new SplittableRandom(11);
            for (int[] mnk : new int[][] {{1, 1, 1}, {7, 33, 19}, {49, 70, 130}, {13, 16, 5}}) {
                compare(isa, rng, mnk[0], mnk[1], mnk[2], 0, mnk[1], 0f, true);
                compare(isa, rng, mnk[0], mnk[1], mnk[2], 0, mnk[1], 1f, true);
            }
        }
    }

    @Test
    void aColumnRangeFromAPanelBoundaryIsThatSliceOfTheProduct() {
        for (PackedGemm.Isa isa : isas()) {
            SplittableRandom rng = new SplittableRandom(11);
            int nr = isa.panelWidth();
            int n = 3 * nr + 5;
            compare(isa, rng, 29, n, 77, nr, nr, 0f);
            compare(isa, rng, 29, n, 77, 2 * nr, n - 2 * nr, 1f);
            compare(isa, rng, 13, n, 300, nr, 2 * nr + 3, 0.5f);
        }
    }

    @Test
    void anEmptySumScalesC() {
        for (PackedGemm.Isa isa : isas()) {
            SplittableRandom rng = new SplittableRandom(3);
            compare(isa, rng, 5, 9, 0, 0, 9, 0f);
            compare(isa, rng, 5, 9, 0, 0, 9, 0.5f);
        }
    }

    @Test
    void packingLaysOutZeroPaddedColumnPanels() {
        for (PackedGemm.Isa isa : isas()) {
            int k = 3;
            int n = isa.panelWidth() + 2;
            FloatBuffer b = Blas.allocate(k * n);
            for (int i = 0; i < k * n; i++) {
                b.put(i, i + 1);
            }
            PackedMatrix packed = PackedMatrix.pack(isa, k, n, b, 0, n);
            int nr = packed.panelWidth();
            for (int j = 0; j < 2; j++) {
                for (int p = 0; p < k; p++) {
                    for (int q = 0; q < nr; q++) {
                        int column = j * nr + q;
                        float expected = column < n ? b.get(p * n + column) : 0f;
                        assertEquals(expected, packed.packed(((long) j * k + p) * nr + q), 0f, isa + " panel " + j);
                    }
                }
            }
        }
    }

    @Test
    void forcedKernelSetIsUsedAndNeverAboveTheBest() {
        String old = System.getProperty("convey.packedGemm.isa");
        try {
            System.setProperty("convey.packedGemm.isa", "scalar");
            assertEquals(PackedGemm.Isa.SCALAR, PackedGemm.isa());
            System.setProperty("convey.packedGemm.isa", "avx512");
            assertTrue(PackedGemm.isa().code <= PackedGemm.best().code);
            System.setProperty("convey.packedGemm.isa", "sse9");
            assertThrows(IllegalArgumentException.class, PackedGemm::isa);
        } finally {
            if (old == null) {
                System.clearProperty("convey.packedGemm.isa");
            } else {
                System.setProperty("convey.packedGemm.isa", old);
            }
        }
    }

    @Test
    void badShapesAreJavaExceptions() {
        FloatBuffer b = Blas.allocate(10 * 40);
        PackedMatrix packed = PackedMatrix.pack(10, 40, b, 0, 40);
        FloatBuffer a = Blas.allocate(5 * 10);
        FloatBuffer c = Blas.allocate(5 * 40);
        assertThrows(IllegalArgumentException.class, () -> PackedMatrix.pack(10, 40, b, 1, 40));       // B overruns
        assertThrows(IllegalArgumentException.class, () -> PackedMatrix.pack(10, 40, b, 0, 39));       // ldb < n
        assertThrows(IllegalArgumentException.class, () -> PackedMatrix.pack(-1, 40, b, 0, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedMatrix.pack(10, 40, FloatBuffer.allocate(400), 0, 40));
        assertThrows(IllegalArgumentException.class,
                () -> PackedMatrix.pack(10, 40, ByteBuffer.allocateDirect(1600).asFloatBuffer(), 0, 40));  // byte order
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(6, a, 0, 10, packed, 0, 40, 0f, c, 0, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(5, a, 1, 10, packed, 0, 40, 0f, c, 0, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(5, a, 0, 9, packed, 0, 40, 0f, c, 0, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(5, a, 0, 10, packed, 0, 41, 0f, c, 0, 41));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(5, a, 0, 10, packed, 0, 40, 0f, c, 1, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(5, a, 0, 10, packed, 0, 40, 0f, c, 0, 39));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(5, a, 0, 10, packed, 1, 8, 0f, c, 0, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(5, a, 0, 10, packed, -16, 8, 0f, c, 0, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(-1, a, 0, 10, packed, 0, 40, 0f, c, 0, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.sgemm(5, a, 0, 10, null, 0, 40, 0f, c, 0, 40));
        assertThrows(IllegalArgumentException.class,
                () -> PackedGemm.sgemm(5, FloatBuffer.allocate(50), 0, 10, packed, 0, 40, 0f, c, 0, 40));
        PackedGemm.sgemm(0, a, 0, 10, packed, 0, 40, 0f, c, 0, 40);   // empty products are fine
        PackedGemm.sgemm(5, a, 0, 10, packed, 32 % packed.panelWidth() == 0 ? 32 : 16, 0, 0f, c, 0, 40);
    }
}
