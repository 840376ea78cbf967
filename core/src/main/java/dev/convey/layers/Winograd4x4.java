package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;

/**
 * Winograd's F(4x4, 3x3) (Lavin and Gray 2016, interpolation points 0, 1, -1, 2, -2 and infinity): a 3x3,
 * stride-1 convolution in 4x4 output tiles from 6x6 input windows, 36 multiplications per tile, channel and
 * filter instead of 144: 4x fewer (F(2x2, 3x3), {@link Winograd}, saves 2.25x). For one channel,
 * <pre>
 *   Y = A^T [ (G g G^T) .* (B^T d B) ] A
 *
 *   B^T = | 4  0 -5  0  1  0 |    G = |  1/4     0     0   |    A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |        | -1/6  -1/6  -1/6  |          | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |        | -1/6   1/6  -1/6  |          | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |        |  1/24  1/12  1/6  |          | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |        |  1/24 -1/12  1/6  |
 *         | 0  4  0 -5  0  1 |        |  0     0     1    |
 * </pre>
 * and, summed over the channels, 36 GEMMs M_p = V_p U_p as for F(2x2, 3x3). The price: the transforms' larger
 * coefficients cost float32 precision (measured against F(2x2, 3x3): 1e-5 to 3e-5 of the largest output at 64-128
 * channels, 1e-4 at 256), U is 4x the kernel's size (16/9 for F(2x2)), and a map that is not a multiple of 4
 * computes wasted tiles; so the choosing rule takes it for large maps only ({@link WinogradConvolution#worthIt4x4}).
 *
 * <p>Vectorised as {@link Winograd}: a group of adjacent tiles of a tile row reads its 6 input rows once and
 * splits each into 4 phases (pixel 4j + k is phase k, entry j), so that window column k of tile j is phase
 * k mod 4, entry j + k / 4, and every step is a loop over whole arrays at a constant shift.
 */
final class Winograd4x4 implements WinogradTransforms {

    static final Winograd4x4 F4X4 = new Winograd4x4();

    private static final int TILE = 4;
    private static final int WINDOW = 6;
    private static final int POINTS = WINDOW * WINDOW;

    private static final float[][] BT = {
        {4, 0, -5, 0, 1, 0},
        {0, -4, -4, 1, 1, 0},
        {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0},
        {0, 2, -1, -2, 1, 0},
        {0, 4, 0, -5, 0, 1}};
    private static final float[][] G = {
        {1f / 4, 0, 0},
        {-1f / 6, -1f / 6, -1f / 6},
        {-1f / 6, 1f / 6, -1f / 6},
        {1f / 24, 1f / 12, 1f / 6},
        {1f / 24, -1f / 12, 1f / 6},
        {0, 0, 1}};
    private static final float[][] AT = {
        {1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 0},
        {0, 1, 1, 4, 4, 0},
        {0, 1, -1, 8, -8, 1}};
    private static final int[][] BT_TERMS = nonZeros(BT);
    private static final int[][] AT_TERMS = nonZeros(AT);

    private Winograd4x4() {
    }

    @Override
    public int tileSize() {
        return TILE;
    }

    @Override
    public int points() {
        return POINTS;
    }

    @Override
    public String toString() {
        return "F(4x4, 3x3)";
    }

    // ---------------------------------------------------------------- kernel: U = G g G^T

    @Override
    public void transformKernel(FloatBuffer kernel, int in, int out, FloatBuffer u) {
        transformKernel(in, out, u, Winograd.forwardTaps(kernel, in, out));
    }

    @Override
    public void transformKernelForInputGradient(FloatBuffer kernel, int in, int out, FloatBuffer u) {
        transformKernel(out, in, u, Winograd.inputGradientTaps(kernel, in, out));
    }

    /** U[p, c, f] = (G g G^T)_p, vectorised over the filters: each row below is a vector of {@code out} floats. */
    private static void transformKernel(int in, int out, FloatBuffer u, Winograd.KernelTaps taps) {
        Parallel.range(in, Math.max(1, (1 << 14) / (9 * out)), (c0, c1) -> {
            float[] g = Scratch.floats(0, 9 * out);       // g[i][j] at (3i + j) out
            float[] t = Scratch.floats(1, 18 * out);      // G g, 6 x 3: t[a][j] at (3a + j) out
            float[] p = Scratch.floats(2, POINTS * out);  // t G^T, 6 x 6
            for (int c = c0; c < c1; c++) {
                taps.read(c, g);
                for (int a = 0; a < WINDOW; a++) {
                    for (int j = 0; j < 3; j++) {   // t[a][j] = sum_i G[a][i] g[i][j]
                        three(G[a], g, j * out, 3 * out, t, (3 * a + j) * out, out);
                    }
                }
                for (int a = 0; a < WINDOW; a++) {
                    for (int b = 0; b < WINDOW; b++) {   // p[a][b] = sum_j G[b][j] t[a][j]
                        three(G[b], t, 3 * a * out, out, p, (WINDOW * a + b) * out, out);
                    }
                }
                for (int point = 0; point < POINTS; point++) {
                    u.put((point * in + c) * out, p, point * out, out);
                }
            }
        });
    }

    /** r[ro + i] = sum_t k[t] x[xo + t stride + i] for i < n and t < 3 (one array, the terms at a constant stride). */
    private static void three(float[] k, float[] x, int xo, int stride, float[] r, int ro, int n) {
        float k0 = k[0];
        float k1 = k[1];
        float k2 = k[2];
        int x1 = xo + stride;
        int x2 = xo + 2 * stride;
        for (int i = 0; i < n; i++) {
            r[ro + i] = k0 * x[xo + i] + k1 * x[x1 + i] + k2 * x[x2 + i];
        }
    }

    // ---------------------------------------------------------------- input: V = B^T d B

    @Override
    public void transformInput(Window2D g, FloatBuffer x, int q0, int q1, FloatBuffer v) {
        int c = g.channels();
        TileGroups groups = new TileGroups(q0, tilesWide(g), groupSize(c));
        int group = groups.group();
        int tiles = (q1 - q0) * groups.tilesW();
        int[] shifts = columnShifts(c);
        Parallel.range(groups.count(q1), 1, (k0, k1) -> {
            Workspace w = SCRATCH.get();
            float[] pixels = w.array(0, (TILE * group + 2) * c);
            float[][][] phases = w.grid(1, TILE, WINDOW, (group + 1) * c);    // [k][row]: input row, phase k
            float[][][] rows = w.grid(2, TILE, WINDOW, (group + 1) * c);      // [k][a]: row a of B^T d, phase k
            float[][] points = w.grid(3, 1, POINTS, group * c)[0];           // point (a, b) at 6a + b
            float[][] window = new float[WINDOW][];
            for (int k = k0; k < k1; k++) {
                int q = groups.tileRow(k);
                int tw0 = groups.firstTile(k);
                int tilesInGroup = groups.size(k);
                int width = TILE * tilesInGroup + 2;
                for (int row = 0; row < WINDOW; row++) {
                    Winograd.readInputRow(g, x, q / tilesHigh(g), TILE * (q % tilesHigh(g)) - g.padTop() + row,
                            TILE * tw0 - g.padLeft(), width, pixels);
                    for (int p = 0; p < width; p++) {
                        System.arraycopy(pixels, p * c, phases[p % TILE][row], (p / TILE) * c, c);
                    }
                }
                int n = (tilesInGroup + 1) * c;   // phases 2 and 3 have one entry less: the last one is not read
                for (int phase = 0; phase < TILE; phase++) {
                    for (int a = 0; a < WINDOW; a++) {
                        combine(BT[a], BT_TERMS[a], phases[phase], ZERO_SHIFTS, rows[phase][a], phase < 2 ? n : n - c);
                    }
                }
                int m = tilesInGroup * c;
                for (int a = 0; a < WINDOW; a++) {
                    for (int col = 0; col < WINDOW; col++) {
                        window[col] = rows[col % TILE][a];
                    }
                    for (int b = 0; b < WINDOW; b++) {
                        combine(BT[b], BT_TERMS[b], window, shifts, points[WINDOW * a + b], m);
                    }
                }
                Winograd.writePoints(points, m, v, tiles, groups.offset(k), c);
            }
        });
    }

    private static final int[] ZERO_SHIFTS = new int[WINDOW];

    /** Window column k of tile j is entry j + k / 4 of phase k mod 4: a shift of (k / 4) channels. */
    private static int[] columnShifts(int channels) {
        int[] shifts = new int[WINDOW];
        for (int col = 0; col < WINDOW; col++) {
            shifts[col] = (col / TILE) * channels;
        }
        return shifts;
    }

    /** Tiles per group: about 2048 floats per point, so that the group's 36 points stay in L2. */
    private static int groupSize(int channels) {
        return Math.max(1, Math.min(16, 2048 / channels));
    }

    // ---------------------------------------------------------------- output: Y = A^T M A, then the epilogue

    @Override
    public void transformOutput(Window2D g, FloatBuffer mm, int q0, int q1, int out, FloatBuffer y, Epilogue.Bound e) {
        int tiles = (q1 - q0) * tilesWide(g);
        // one output row of a group (4 G pixels) per epilogue call, within the epilogue's constants
        TileGroups groups = new TileGroups(q0, tilesWide(g), Math.max(1, Math.min(16, Scratch.FLOATS / out)));
        int group = groups.group();
        Parallel.range(groups.count(q1), 1, (k0, k1) -> {
            Workspace w = SCRATCH.get();
            float[][] points = w.grid(4, 1, POINTS, group * out)[0];        // M's point (a, b) at 6a + b
            float[][][] rows = w.grid(5, TILE, WINDOW, group * out);         // A^T M: [i][b]
            float[][][] phases = w.grid(6, TILE, TILE, group * out);         // output row i, pixel 4j + k: [i][k]
            float[][] pixels = w.grid(7, 1, TILE, TILE * group * out)[0];    // the 4 output rows, pixels interleaved
            float[][] residual = w.grid(8, 1, TILE, e.residual() == null ? 1 : TILE * group * out)[0];
            float[][] column = new float[WINDOW][];
            for (int k = k0; k < k1; k++) {
                int q = groups.tileRow(k);
                int tw0 = groups.firstTile(k);
                int tilesInGroup = groups.size(k);
                int n = tilesInGroup * out;
                Winograd.readPoints(mm, tiles, groups.offset(k), out, points, n);
                for (int b = 0; b < WINDOW; b++) {
                    for (int a = 0; a < WINDOW; a++) {
                        column[a] = points[WINDOW * a + b];
                    }
                    for (int i = 0; i < TILE; i++) {
                        combine(AT[i], AT_TERMS[i], column, ZERO_SHIFTS, rows[i][b], n);
                    }
                }
                for (int i = 0; i < TILE; i++) {
                    for (int kk = 0; kk < TILE; kk++) {
                        combine(AT[kk], AT_TERMS[kk], rows[i], ZERO_SHIFTS, phases[i][kk], n);
                        for (int j = 0; j < tilesInGroup; j++) {
                            System.arraycopy(phases[i][kk], j * out, pixels[i], (TILE * j + kk) * out, out);
                        }
                    }
                }
                int image = q / tilesHigh(g);
                int tr = q % tilesHigh(g);
                int width = Math.min(TILE * tilesInGroup, g.outW() - TILE * tw0);
                int outRows = Math.min(TILE, g.outH() - TILE * tr);
                long at = ((long) (image * g.outH() + TILE * tr) * g.outW() + TILE * tw0) * out;
                for (int i = 0; i < outRows; i++) {
                    int rowAt = (int) (at + (long) i * g.outW() * out);
                    if (e.residual() != null) {
                        e.residual().get(rowAt, residual[i], 0, width * out);
                    }
                    Epilogue.apply(e, pixels[i], residual[i], width * out, out);
                    y.put(rowAt, pixels[i], 0, width * out);
                }
            }
        });
    }

    // ---------------------------------------------------------------- vector kernel and scratch

    /**
     * r[i] = sum_t k[t] x[t][s[t] + i] for i < n, over the terms {@code terms} (k[t] != 0): up to four in one pass over
     * r, the rest added after. Every array shares the loop's index (at a constant shift), which HotSpot vectorises.
     */
    private static void combine(float[] k, int[] terms, float[][] x, int[] s, float[] r, int n) {
        int t0 = terms[0];
        if (terms.length == 1) {
            scaled(k[t0], x[t0], s[t0], r, n);
        } else if (terms.length == 2) {
            two(k[t0], x[t0], s[t0], k[terms[1]], x[terms[1]], s[terms[1]], r, n);
        } else if (terms.length == 3) {
            int t1 = terms[1];
            int t2 = terms[2];
            two(k[t0], x[t0], s[t0], k[t1], x[t1], s[t1], r, n);
            addScaled(k[t2], x[t2], s[t2], r, n);
        } else {
            int t1 = terms[1];
            int t2 = terms[2];
            int t3 = terms[3];
            four(k[t0], x[t0], s[t0], k[t1], x[t1], s[t1], k[t2], x[t2], s[t2], k[t3], x[t3], s[t3], r, n);
            for (int t = 4; t < terms.length; t++) {
                addScaled(k[terms[t]], x[terms[t]], s[terms[t]], r, n);
            }
        }
    }

    /** The columns t with k[t] != 0 of each row of a transform matrix. */
    private static int[][] nonZeros(float[][] matrix) {
        int[][] terms = new int[matrix.length][];
        for (int row = 0; row < matrix.length; row++) {
            float[] k = matrix[row];
            terms[row] = java.util.stream.IntStream.range(0, k.length).filter(t -> k[t] != 0f).toArray();
        }
        return terms;
    }

    private static void scaled(float k, float[] x, int s, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] = k * x[s + i];
        }
    }

    private static void addScaled(float k, float[] x, int s, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] += k * x[s + i];
        }
    }

    private static void two(float k0, float[] x0, int s0, float k1, float[] x1, int s1, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] = k0 * x0[s0 + i] + k1 * x1[s1 + i];
        }
    }

    private static void four(float k0, float[] x0, int s0, float k1, float[] x1, int s1, float k2, float[] x2, int s2,
                             float k3, float[] x3, int s3, float[] r, int n) {
        for (int i = 0; i < n; i++) {
            r[i] = k0 * x0[s0 + i] + k1 * x1[s1 + i] + k2 * x2[s2 + i] + k3 * x3[s3 + i];
        }
    }

    /** Each thread's scratch arrays, reused across calls: flat arrays and grids of them, by number. */
    private static final class Workspace {
        private final float[][] arrays = new float[1][0];
        private final float[][][][] grids = new float[9][][][];

        float[] array(int i, int floats) {
            if (arrays[i].length < floats) {
                arrays[i] = new float[floats];
            }
            return arrays[i];
        }

        /** Grid i: rows x cols arrays, each at least {@code floats} long. */
        float[][][] grid(int i, int rows, int cols, int floats) {
            float[][][] grid = grids[i];
            if (grid == null || grid.length != rows || grid[0].length != cols || grid[0][0].length < floats) {
                grid = new float[rows][cols][floats];
                grids[i] = grid;
            }
            return grid;
        }
    }

    private static final ThreadLocal<Workspace> SCRATCH = ThreadLocal.withInitial(Workspace::new);
}
