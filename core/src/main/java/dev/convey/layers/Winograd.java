package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.PackedWeights;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;

/**
 * Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2016): a 3x3, stride-1 convolution computed in 2x2 output tiles with 16 multiplications per tile, channel and
 * filter instead of 36, i.e. 2.25x fewer. For one channel, a 4x4 input tile d and a 3x3 kernel g give the 2x2
 * output tile
 * <pre>
 *   Y = A^T [ (G g G^T) .* (B^T d B) ] A
 *
 *   B^T = | 1  0 -1  0 |     G = | 1    0    0   |     A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |         | 1/2  1/2  1/2 |           | 0  1 -1 -1 |
 *         | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |         | 0    0    1   |
 * </pre>
 * (.* is the elementwise product of two 4x4 matrices). Summed over the input channels, the 16 elementwise
 * products become 16 matrix products, one for each point p of the 4x4 tile:
 * <pre>
 *   M_p (tiles x out) = V_p (tiles x in) U_p (in x out)     V_p = (B^T d B)_p per tile and channel
 *                                                           U_p = (G g G^T)_p per channel and filter
 * </pre>
 * so the multiply-adds are still a GEMM (OpenBLAS), with 16/36 of them, and the three transforms are additions
 * only: U once per kernel version ({@link #transformKernel}), V and the inverse A^T M A per block of tiles.
 * The output differs from im2col's by rounding only (the transforms add a few terms before the product).
 *
 * <p>Layouts. Tiles are numbered in NHWC order: tile row q = (n, tr) covers output rows 2tr and 2tr + 1 of image
 * n, and holds tilesW = ceil(outW / 2) tiles. A block of tile rows [q0, q1) has T = (q1 - q0) tilesW tiles, and
 * its workspaces are V (16, T, in) and M (16, T, out), point-major, so that each V_p, M_p is a plain row-major
 * matrix for the GEMM. U is (16, in, out). Output tiles that overhang the image (odd outH or outW) are computed
 * and dropped; input pixels outside the image are the zero padding.
 */
final class Winograd {

    /** Points of the 4x4 transformed tile: one GEMM each. */
    static final int POINTS = 16;

    /** Split a transform over the cores by groups of adjacent tiles (see {@link #groupSize}), at least this many. */
    private static final int MIN_GROUPS_PER_CHUNK = 1;

    private Winograd() {
    }

    /** Whether a convolution is one F(2x2, 3x3) computes: a 3x3 kernel at stride 1, undilated. */
    static boolean applies(Window2D g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1;
    }

    static int tilesHigh(Window2D g) {
        return (g.outH() + 1) / 2;
    }

    static int tilesWide(Window2D g) {
        return (g.outW() + 1) / 2;
    }

    /** Tile rows of the whole batch. */
    static int tileRows(Window2D g) {
        return g.batch() * tilesHigh(g);
    }

    // ---------------------------------------------------------------- kernel: U = G g G^T

    /**
     * U[p, c, f] = (G g G^T)_p with g the 3x3 kernel of channel c and filter f, from an HWIO kernel (3, 3, in, out).
     * Vectorised over the filters: each row below is a vector of {@code out} (or 3 out) floats.
     */
    static void transformKernel(FloatBuffer kernel, int in, int out, FloatBuffer u) {
        transformKernel(in, out, u, forwardTaps(kernel, in, out));
    }

    /** The taps of an HWIO kernel (3, 3, in, out) by input channel: g[(3i + j) out + f] = W[i, j, c, f]. */
    static KernelTaps forwardTaps(FloatBuffer kernel, int in, int out) {
        return (c, g) -> {
            for (int tap = 0; tap < 9; tap++) {
                kernel.get((tap * in + c) * out, g, tap * out, out);
            }
        };
    }

    /**
     * U' of the convolution that takes a 3x3 stride-1 convolution's output gradient back to its input: the kernel
     * rotated by 180 degrees with in and out swapped, W'[i, j, f, c] = W[2 - i, 2 - j, c, f], so U' is
     * (16, out, in). Reads W across its rows (one float at a time): once per kernel version.
     */
    static void transformKernelForInputGradient(FloatBuffer kernel, int in, int out, FloatBuffer u) {
        transformKernel(out, in, u, inputGradientTaps(kernel, in, out));
    }

    /** The taps of the rotated, swapped kernel W'[i, j, f, c] = W[2 - i, 2 - j, c, f] by its input channel f. */
    static KernelTaps inputGradientTaps(FloatBuffer kernel, int in, int out) {
        return (f, g) -> {
            for (int tap = 0; tap < 9; tap++) {
                for (int c = 0; c < in; c++) {
                    g[tap * in + c] = kernel.get(((8 - tap) * in + c) * out + f);
                }
            }
        };
    }

    /** Reads the 3x3 kernel of input channel c of the convolution being transformed: g[(3i + j) out + f]. */
    interface KernelTaps {
        void read(int c, float[] g);
    }

    /** U[p, c, f] = (G g G^T)_p for the kernel {@code taps} reads, of {@code in} channels and {@code out} filters. */
    private static void transformKernel(int in, int out, FloatBuffer u, KernelTaps taps) {
        Parallel.range(in, Math.max(1, (1 << 14) / (9 * out)), (c0, c1) -> {
            float[] g = Scratch.floats(0, 9 * out);       // g[i][j][f] at (3i + j) out + f
            float[] t = Scratch.floats(1, 12 * out);      // t = G g, 4 x 3: t[a][j][f] at (3a + j) out + f
            float[] p = Scratch.floats(2, POINTS * out);  // t G^T, 4 x 4
            int row = 3 * out;
            for (int c = c0; c < c1; c++) {
                taps.read(c, g);
                // rows of G g: g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2, each a row of 3 taps
                System.arraycopy(g, 0, t, 0, row);
                halfSum(g, 0, g, row, g, 2 * row, 1f, t, row, row);
                halfSum(g, 0, g, row, g, 2 * row, -1f, t, 2 * row, row);
                System.arraycopy(g, 2 * row, t, 3 * row, row);
                // columns: the same combination of taps 0, 1, 2 within each row a
                for (int a = 0; a < 4; a++) {
                    int ta = a * row;
                    int pa = a * 4 * out;
                    System.arraycopy(t, ta, p, pa, out);
                    halfSum(t, ta, t, ta + out, t, ta + 2 * out, 1f, p, pa + out, out);
                    halfSum(t, ta, t, ta + out, t, ta + 2 * out, -1f, p, pa + 2 * out, out);
                    System.arraycopy(t, ta + 2 * out, p, pa + 3 * out, out);
                }
                for (int point = 0; point < POINTS; point++) {
                    u.put((point * in + c) * out, p, point * out, out);
                }
            }
        });
    }

    /** r[i] = (x[i] + sign * y[i] + z[i]) / 2. */
    private static void halfSum(float[] x, int xo, float[] y, int yo, float[] z, int zo, float sign,
                                float[] r, int ro, int n) {
        for (int i = 0; i < n; i++) {
            r[ro + i] = 0.5f * (x[xo + i] + sign * y[yo + i] + z[zo + i]);
        }
    }

    // ---------------------------------------------------------------- input: V = B^T d B

    /**
     * V[p, t, c] = (B^T d B)_p for the tiles of tile rows [q0, q1) of input x (NHWC), d being tile t's 4x4
     * input window of channel c, zero outside the image.
     *
     * <p>Works on groups of G adjacent tiles of a tile row, whose windows overlap: the group's 4 input rows of
     * 2G + 2 pixels are read once and split into even and odd pixels, so that tile j's window columns 0..3 are
     * even pixel j, odd pixel j, even pixel j + 1 and odd pixel j + 1. Every step of the transform is then a
     * loop over whole arrays (HotSpot vectorises those, not loops at three unrelated offsets), and each
     * point's results for the group are one contiguous run of V. Split over the cores by groups.
     */
    static void transformInput(Window2D g, FloatBuffer x, int q0, int q1, FloatBuffer v) {
        int c = g.channels();
        WinogradTransforms.TileGroups groups = new WinogradTransforms.TileGroups(q0, tilesWide(g), groupSize(c));
        int group = groups.group();
        int tiles = (q1 - q0) * groups.tilesW();
        Parallel.range(groups.count(q1), MIN_GROUPS_PER_CHUNK, (k0, k1) -> {
            Workspace scratch = SCRATCH.get();
            float[] pixels = array(scratch, 0, (2 * group + 2) * c);
            float[][] dEven = arrays(scratch, 1, 4, (group + 1) * c);    // input rows 0..3, even pixels
            float[][] dOdd = arrays(scratch, 5, 4, (group + 1) * c);
            float[][] sEven = arrays(scratch, 9, 4, (group + 1) * c);    // rows of B^T d
            float[][] sOdd = arrays(scratch, 13, 4, (group + 1) * c);
            float[][] points = arrays(scratch, 17, POINTS, group * c);  // point (a, b) at 4a + b, tile j at j c
            for (int k = k0; k < k1; k++) {
                int q = groups.tileRow(k);
                int tw0 = groups.firstTile(k);
                int tilesInGroup = groups.size(k);
                for (int row = 0; row < 4; row++) {
                    readInputRow(g, x, q / tilesHigh(g), 2 * (q % tilesHigh(g)) - g.padTop() + row,
                            2 * tw0 - g.padLeft(), 2 * tilesInGroup + 2, pixels);
                    for (int j = 0; j <= tilesInGroup; j++) {
                        System.arraycopy(pixels, 2 * j * c, dEven[row], j * c, c);
                        System.arraycopy(pixels, (2 * j + 1) * c, dOdd[row], j * c, c);
                    }
                }
                int n = (tilesInGroup + 1) * c;
                rowsOfInputTransform(dEven, sEven, n);
                rowsOfInputTransform(dOdd, sOdd, n);
                // columns, within each row a: s0 - s2, s1 + s2, s2 - s1, s1 - s3 of every tile's four pixels
                int m = tilesInGroup * c;
                for (int a = 0; a < 4; a++) {
                    differenceAhead(sEven[a], sEven[a], c, points[4 * a], m);
                    sumAhead(sOdd[a], sEven[a], c, points[4 * a + 1], m);
                    aheadDifference(sEven[a], sOdd[a], c, points[4 * a + 2], m);
                    differenceAhead(sOdd[a], sOdd[a], c, points[4 * a + 3], m);
                }
                writePoints(points, m, v, tiles, groups.offset(k), c);
            }
        });
    }

    /** The rows of B^T d for one parity of pixels: s0 = d0 - d2, s1 = d1 + d2, s2 = d2 - d1, s3 = d1 - d3. */
    private static void rowsOfInputTransform(float[][] d, float[][] s, int n) {
        sumOfTwo(d[0], d[2], -1f, s[0], n);
        sumOfTwo(d[1], d[2], 1f, s[1], n);
        sumOfTwo(d[2], d[1], -1f, s[2], n);
        sumOfTwo(d[1], d[3], -1f, s[3], n);
    }

    /** Tiles per group: a few thousand floats per point, so that a group's scratch stays in L2. */
    private static int groupSize(int channels) {
        return Math.max(1, Math.min(16, 4096 / channels));
    }

    /** d = pixels [iw0, iw0 + pixels) of row ih of image n (NHWC), zero outside the image. */
    static void readInputRow(Window2D g, FloatBuffer x, int n, int ih, int iw0, int pixels, float[] d) {
        int c = g.channels();
        if (ih < 0 || ih >= g.height()) {
            Arrays.fill(d, 0, pixels * c, 0f);
            return;
        }
        int first = Math.max(0, iw0);
        int last = Math.max(first, Math.min(g.width(), iw0 + pixels));
        Arrays.fill(d, 0, (first - iw0) * c, 0f);
        x.get(g.inputOffset(n, ih, first), d, (first - iw0) * c, (last - first) * c);
        Arrays.fill(d, (last - iw0) * c, pixels * c, 0f);
    }

    /**
     * The points of a group of tiles: V[p, t0 .., :] = points[p][0, length) for every point p of the array (V is
     * (points, tiles, width), the group's tiles from t0 on, {@code width} floats each).
     */
    static void writePoints(float[][] points, int length, FloatBuffer v, int tiles, int t0, int width) {
        for (int point = 0; point < points.length; point++) {
            v.put((point * tiles + t0) * width, points[point], 0, length);
        }
    }

    /** The reverse, from M (points, tiles, width): points[p][0, length) = M[p, t0 .., :]. */
    static void readPoints(FloatBuffer m, int tiles, int t0, int width, float[][] points, int length) {
        for (int point = 0; point < points.length; point++) {
            m.get((point * tiles + t0) * width, points[point], 0, length);
        }
    }

    // ---------------------------------------------------------------- the 16 products

    /**
     * M_p = V_p U_p for points [p0, p1): (tiles x in) times (in x out), on the calling thread; with U's points
     * {@code packed} once (or null: OpenBLAS on U itself).
     */
    static void multiply(FloatBuffer v, FloatBuffer u, PackedWeights packed, FloatBuffer m, int tiles, int in, int out,
                         int p0, int p1) {
        for (int p = p0; p < p1; p++) {
            if (packed != null) {
                Gemm.sgemmPackedOnThisThread(tiles, v, (long) p * tiles * in, in, packed, p, 0, out,
                        0f, m, (long) p * tiles * out, out);
            } else {
                Gemm.sgemmOnThisThread(false, false, tiles, out, in, 1f, v, (long) p * tiles * in, in, u,
                        (long) p * in * out, out, 0f, m, (long) p * tiles * out, out);
            }
        }
    }

    // ---------------------------------------------------------------- output: Y = A^T M A, then the epilogue

    /**
     * The output tiles of tile rows [q0, q1): y's 2x2 tile = A^T M A, followed by the {@link Epilogue},
     * written into y (NHWC) where it lies inside the image.
     * By groups of adjacent tiles, as {@link #transformInput}: the two columns of A give the even and the odd
     * output pixels of the group's two rows, which are interleaved and written at once.
     */
    static void transformOutput(Window2D g, FloatBuffer m, int q0, int q1, int out, FloatBuffer y, Epilogue.Bound e) {
        WinogradTransforms.TileGroups groups = new WinogradTransforms.TileGroups(q0, tilesWide(g), groupSize(out));
        int group = groups.group();
        int tiles = (q1 - q0) * groups.tilesW();
        Parallel.range(groups.count(q1), MIN_GROUPS_PER_CHUNK, (k0, k1) -> {
            Workspace scratch = SCRATCH.get();
            float[][] points = arrays(scratch, 0, POINTS, group * out);   // M's point (a, b) at 4a + b
            float[][] rows = arrays(scratch, 16, 8, group * out);         // A^T M: (i, b) at 4i + b
            float[][] even = arrays(scratch, 24, 2, group * out);         // output rows 0, 1: even pixels
            float[][] odd = arrays(scratch, 26, 2, group * out);
            float[] pixels = array(scratch, 28, 4 * group * out);         // both output rows, interleaved
            float[] residual = array(scratch, 29, e.residual() == null ? 0 : 4 * group * out);  // the residual there
            for (int k = k0; k < k1; k++) {
                int q = groups.tileRow(k);
                int tw0 = groups.firstTile(k);
                int tilesInGroup = groups.size(k);
                int n = tilesInGroup * out;
                int t0 = groups.offset(k);
                readPoints(m, tiles, t0, out, points, n);
                // rows of A^T M: m0 + m1 + m2 and m1 - m2 - m3, for each column b
                for (int b = 0; b < 4; b++) {
                    sumOfThree(points[b], points[4 + b], points[8 + b], 1f, rows[b], n);
                    sumOfThree(points[4 + b], points[8 + b], points[12 + b], -1f, rows[4 + b], n);
                }
                // columns: the same, giving output pixels 2j (even) and 2j + 1 (odd) of each row i
                for (int i = 0; i < 2; i++) {
                    sumOfThree(rows[4 * i], rows[4 * i + 1], rows[4 * i + 2], 1f, even[i], n);
                    sumOfThree(rows[4 * i + 1], rows[4 * i + 2], rows[4 * i + 3], -1f, odd[i], n);
                    for (int j = 0; j < tilesInGroup; j++) {
                        System.arraycopy(even[i], j * out, pixels, (2 * i * tilesInGroup + 2 * j) * out, out);
                        System.arraycopy(odd[i], j * out, pixels, (2 * i * tilesInGroup + 2 * j + 1) * out, out);
                    }
                }
                int image = q / tilesHigh(g);
                int width = Math.min(2 * tilesInGroup, g.outW() - 2 * tw0);
                int outRows = Math.min(2, g.outH() - 2 * (q % tilesHigh(g)));
                long at = ((long) (image * g.outH() + 2 * (q % tilesHigh(g))) * g.outW() + 2 * tw0) * out;
                if (e.residual() != null) {
                    for (int i = 0; i < outRows; i++) {
                        e.residual().get((int) (at + (long) i * g.outW() * out), residual, 2 * i * n, width * out);
                    }
                }
                Epilogue.apply(e, pixels, residual, 4 * n, out);
                for (int i = 0; i < outRows; i++) {
                    y.put((int) (at + (long) i * g.outW() * out), pixels, 2 * i * n, width * out);
                }
            }
        });
    }

    // ---------------------------------------------------------------- vector kernels and scratch

    /** r[i] = x[i] + sign * y[i]  (sign = +-1). */
    private static void sumOfTwo(float[] x, float[] y, float sign, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] = x[i] + sign * y[i];
        }
    }

    /** r[i] = x[i] + sign * (y[i] + z[i])  (sign = +-1: x + y + z or x - y - z). */
    private static void sumOfThree(float[] x, float[] y, float[] z, float sign, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] = x[i] + sign * y[i] + sign * z[i];
        }
    }

    /** r[i] = x[i] - y[i + shift]. */
    private static void differenceAhead(float[] x, float[] y, int shift, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] = x[i] - y[i + shift];
        }
    }

    /** r[i] = x[i] + y[i + shift]. */
    private static void sumAhead(float[] x, float[] y, int shift, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] = x[i] + y[i + shift];
        }
    }

    /** r[i] = x[i + shift] - y[i]. */
    private static void aheadDifference(float[] x, float[] y, int shift, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] = x[i + shift] - y[i];
        }
    }

    /**
     * Each thread's scratch arrays (the transforms need more than {@link Scratch}' four), reused across calls so
     * that inference allocates nothing: {@code arrays[i]}, and the sets of them handed out together.
     */
    private static final class Workspace {
        final float[][] arrays = new float[33][0];
        final float[][][] sets = new float[33][][];
    }

    private static final ThreadLocal<Workspace> SCRATCH = ThreadLocal.withInitial(Workspace::new);

    /** Scratch array i, at least {@code floats} long. */
    private static float[] array(Workspace scratch, int i, int floats) {
        if (scratch.arrays[i].length < floats) {
            scratch.arrays[i] = new float[floats];
        }
        return scratch.arrays[i];
    }

    /** Scratch arrays first .. first + count - 1, each at least {@code floats} long. */
    private static float[][] arrays(Workspace scratch, int first, int count, int floats) {
        if (scratch.sets[first] == null || scratch.sets[first].length != count) {
            scratch.sets[first] = new float[count][];
        }
        float[][] set = scratch.sets[first];
        for (int i = 0; i < count; i++) {
            set[i] = array(scratch, first + i, floats);
        }
        return set;
    }
}
