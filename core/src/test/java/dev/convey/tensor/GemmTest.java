package dev.convey.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.convey.blas.Blas;
import dev.convey.blas.ReferenceGemm;

/** The split product against the plain Java reference, in both split directions, transposed and offset. */
class GemmTest {

    @Test
    void splitProductEqualsTheReference() {
        SplittableRandom random = new SplittableRandom(5);
        // {m, n, k}: tall (rows split), wide (columns split), one row (Dense at batch 1), too small to split
        int[][] shapes = {{300, 40, 70}, {30, 500, 90}, {1, 1500, 600}, {5, 4, 3}};
        for (int[] shape : shapes) {
            for (int transposes = 0; transposes < 4; transposes++) {
                boolean transA = (transposes & 1) != 0;
                boolean transB = (transposes & 2) != 0;
                int m = shape[0], n = shape[1], k = shape[2];
                int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 1;
                int aOffset = 7, bOffset = 5, cOffset = 11;
                FloatBuffer a = randomBuffer(random, aOffset + (long) (transA ? k : m) * lda);
                FloatBuffer b = randomBuffer(random, bOffset + (long) (transB ? n : k) * ldb);
                FloatBuffer c = randomBuffer(random, cOffset + (long) m * ldc);
                FloatBuffer expected = Blas.allocate(c.capacity());
                expected.put(0, c, 0, c.capacity());
                ReferenceGemm.sgemm(transA, transB, m, n, k, 0.5f, a, aOffset, lda, b, bOffset, ldb,
                        2f, expected, cOffset, ldc);
                Gemm.sgemm(transA, transB, m, n, k, 0.5f, a, aOffset, lda, b, bOffset, ldb, 2f, c, cOffset, ldc);
                for (int i = 0; i < c.capacity(); i++) {
                    assertEquals(expected.get(i), c.get(i), 1e-4 * (1 + Math.abs(expected.get(i))),
                            "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " at " + i);
                }
            }
        }
    }

    private static FloatBuffer randomBuffer(SplittableRandom random, long floats) {
        FloatBuffer buffer = Blas.allocate(floats);
        for (int i = 0; i < floats; i++) {
            buffer.put(i, (float) random.nextDouble(-1, 1));
        }
        return buffer;
    }
}
