package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * dL/dW of a 3x3, stride-1, undilated convolution by Winograd's F(2x2, 3x3): the forward pass of {@link Winograd}
 * differentiated in the kernel. Forward, per 2x2 output tile, channel c and filter f (summed over c):
 * <pre>
 *   Y = A^T [ U .* V ] A,   U = G g G^T,   V = B^T d B
 * </pre>
 * is linear in U and U in g, so with dY the tile's output gradient (zero where the tile overhangs the image):
 * <pre>
 *   dM    = A dY A^T                         (4x4 per tile and filter)
 *   dU_p  = sum over tiles V_p^T dM_p        (16 GEMMs, in x tiles by tiles x out)
 *   dL/dg = G^T dU G                         (3x3 per channel and filter)
 * </pre>
 * 16 multiply-adds per tile, channel and filter where {@link Im2colConvolution}'s P^T dZ does 36; it equals that
 * to float rounding (the transforms add a few terms around the products). V is {@link Winograd#transformInput}'s,
 * the layouts are {@link Winograd}'s: dM (16, tiles, out), dU (16, in, out), point (a, b) at 4a + b. Per block of
 * tile rows the threads transform together and then each sums its own points' products over the blocks: dU needs no
 * per-thread copy, and the sums do not depend on timing.
 */
final class WinogradWeightGradient {

    /** A block holds about this many floats of V and dM (at least MIN_BLOCK_TILES tiles): long GEMM reductions. */
    private static final int TARGET_FLOATS = 1 << 21;
    private static final int MIN_BLOCK_TILES = 256;

    /**
     * Where it beats im2col's P^T dZ: both channel counts from MIN_CHANNELS and the batch's tiles from MIN_TILES,
     * so that the 16 products (in x tiles by tiles x out) are neither thin nor short. Measured on ResNet50's 3x3
     * layers at batch 8 (2 cores, loaded; time against im2col's, interleaved minima of 30 calls, then medians of
     * 7 rounds of TrainingConvProfile): 56x56x64 1.15 and 1.01, 28x28x128 0.91 and 1.14, 14x14x256 0.70 and
     * 0.82, 7x7x512 (128 tiles) 1.19.
     */
    private static final int MIN_CHANNELS = 256;
    private static final int MIN_TILES = 256;

    private Tensor inputs;
    private Tensor gradients;
    private Tensor transformedGradient;

    /** Whether this beats im2col for geometry g (which F(2x2, 3x3) applies to) with {@code filters} filters. */
    static boolean worthIt(Window2D g, int filters) {
        return g.channels() >= MIN_CHANNELS && filters >= MIN_CHANNELS
                && (long) Winograd.tileRows(g) * Winograd.tilesWide(g) >= MIN_TILES;
    }

    /**
     * dL/dW (overwritten) into {@code kernel.gradient()}, from input x and dz = dL/d(conv(x, W)), geometry g, in
     * workspaces of at most about {@code maxWorkspaceFloats} (one block of tiles at least).
     */
    void backward(Window2D g, Tensor x, Parameter kernel, Tensor dz, int maxWorkspaceFloats) {
        int in = g.channels();
        int out = kernel.value().dim(3);
        int tileRows = Winograd.tileRows(g);
        int tilesW = Winograd.tilesWide(g);
        int floatsPerTile = Winograd.POINTS * (in + out);
        int blockTiles = Math.min(Math.max(TARGET_FLOATS / floatsPerTile, MIN_BLOCK_TILES), Math.max(1, maxWorkspaceFloats / floatsPerTile));
        int blockRows = Math.max(1, Math.min(tileRows, blockTiles / tilesW));
        transformedGradient = Tensor.reuse(transformedGradient, Winograd.POINTS, in, out);
        FloatBuffer du = transformedGradient.data();
        for (int q0 = 0; q0 < tileRows; q0 += blockRows) {
            int q1 = Math.min(tileRows, q0 + blockRows);
            int tiles = (q1 - q0) * tilesW;
            inputs = Tensor.reuse(inputs, Winograd.POINTS, tiles, in);
            gradients = Tensor.reuse(gradients, Winograd.POINTS, tiles, out);
            FloatBuffer v = inputs.data();
            FloatBuffer dm = gradients.data();
            Winograd.transformInput(g, x.data(), q0, q1, v);
            transformOutputGradient(g, dz.data(), q0, q1, out, dm);
            float beta = q0 == 0 ? 0f : 1f;
            // dU_p (in x out) += V_p^T (in x tiles) dM_p (tiles x out), each thread its own points
            Gemm.onEachCore(Winograd.POINTS, 1, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    Gemm.sgemmOnThisThread(true, false, in, out, tiles, 1f, v, (long) p * tiles * in, in,
                            dm, (long) p * tiles * out, out, beta, du, (long) p * in * out, out);
                }
            });
        }
        kernelGradient(du, in, out, kernel.gradient().data());
    }

    /**
     * dM = A dY A^T for the tiles of tile rows [q0, q1): with A^T = | 1 1 1 0 ; 0 1 -1 -1 |, rows a of A dY are
     * dY0, dY0 + dY1, dY0 - dY1, -dY1 (dYi: output row i of the tile), and the same within each row. Vectors of
     * {@code out} floats (a pixel's filters).
     */
    private static void transformOutputGradient(Window2D g, FloatBuffer dz, int q0, int q1, int out, FloatBuffer dm) {
        int tilesW = Winograd.tilesWide(g);
        int tilesH = Winograd.tilesHigh(g);
        int tiles = (q1 - q0) * tilesW;
        // groups of consecutive tiles, so that each point's results for a group are one run of dM
        int group = Math.max(1, Math.min(16, 4096 / out));
        Parallel.range((tiles + group - 1) / group, 1, (k0, k1) -> {
            float[] d = Scratch.floats(0, 4 * out);                    // dY (i, j) at (2i + j) out
            float[] r = Scratch.floats(1, 8 * out);                    // A dY: (a, j) at (2a + j) out
            float[] m = Scratch.floats(2, Winograd.POINTS * group * out);   // (a, b), tile u at ((4a + b) group + u) out
            for (int k = k0; k < k1; k++) {
                int first = k * group;
                int size = Math.min(group, tiles - first);
                for (int u = 0; u < size; u++) {
                    int t = first + u;
                    int q = q0 + t / tilesW;
                    int n = q / tilesH;
                    int oh = 2 * (q % tilesH);
                    int ow = 2 * (t % tilesW);
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            if (oh + i < g.outH() && ow + j < g.outW()) {
                                dz.get(((n * g.outH() + oh + i) * g.outW() + ow + j) * out, d, (2 * i + j) * out, out);
                            } else {
                                java.util.Arrays.fill(d, (2 * i + j) * out, (2 * i + j + 1) * out, 0f);
                            }
                        }
                    }
                    combine(d, 0, 2 * out, 2 * out, r, 2 * out);               // over the tile's rows, both columns
                    for (int a = 0; a < 4; a++) {
                        combine(r, 2 * a * out, out, out, m, (4 * a * group + u) * out, group * out);
                    }
                }
                for (int p = 0; p < Winograd.POINTS; p++) {
                    dm.put((p * tiles + first) * out, m, p * group * out, size * out);
                }
            }
        });
    }

    /**
     * The four rows of A applied to two vectors e0 = x[at..], e1 = x[at + step..] of n floats: e0, e0 + e1, e0 - e1,
     * -e1, written to r at 0, stride, 2 stride, 3 stride.
     */
    private static void combine(float[] x, int at, int step, int n, float[] r, int stride) {
        combine(x, at, step, n, r, 0, stride);
    }

    /** {@link #combine(float[], int, int, int, float[], int)} writing from r[rAt] on. */
    private static void combine(float[] x, int at, int step, int n, float[] r, int rAt, int stride) {
        for (int f = 0; f < n; f++) {
            float e0 = x[at + f];
            float e1 = x[at + step + f];
            r[rAt + f] = e0;
            r[rAt + stride + f] = e0 + e1;
            r[rAt + 2 * stride + f] = e0 - e1;
            r[rAt + 3 * stride + f] = -e1;
        }
    }

    /**
     * dL/dW[i, j, c, f] = (G^T dU[c, f] G)[i, j]: with G's columns, rows i of G^T dU are u0 + (u1 + u2) / 2,
     * (u1 - u2) / 2, (u1 + u2) / 2 + u3 (ua: row a of dU), and the same within each row. Vectors over the filters.
     */
    private static void kernelGradient(FloatBuffer du, int in, int out, FloatBuffer dw) {
        Parallel.range(in, Math.max(1, (1 << 12) / out), (c0, c1) -> {
            float[] u = Scratch.floats(0, Winograd.POINTS * out);      // (a, b) at (4a + b) out
            float[] s = Scratch.floats(1, 12 * out);                   // G^T dU: (i, b) at (4i + b) out
            float[] k = Scratch.floats(2, 3 * out);                    // one row i of the 3x3 result
            for (int c = c0; c < c1; c++) {
                for (int p = 0; p < Winograd.POINTS; p++) {
                    du.get((p * in + c) * out, u, p * out, out);
                }
                for (int b = 0; b < 4; b++) {
                    adjointOfG(u, b * out, 4 * out, out, s, b * out, 4 * out);
                }
                for (int i = 0; i < 3; i++) {
                    adjointOfG(s, 4 * i * out, out, out, k, 0, out);
                    for (int j = 0; j < 3; j++) {
                        dw.put(((3 * i + j) * in + c) * out, k, j * out, out);
                    }
                }
            }
        });
    }

    /** G^T applied to four vectors x[at + a step..] (a = 0..3) of n floats, the three results to r at + i stride. */
    private static void adjointOfG(float[] x, int at, int step, int n, float[] r, int rAt, int stride) {
        for (int f = 0; f < n; f++) {
            float u0 = x[at + f];
            float u1 = x[at + step + f];
            float u2 = x[at + 2 * step + f];
            float u3 = x[at + 3 * step + f];
            float half = 0.5f * (u1 + u2);
            r[rAt + f] = u0 + half;
            r[rAt + stride + f] = 0.5f * (u1 - u2);
            r[rAt + 2 * stride + f] = half + u3;
        }
    }
}
