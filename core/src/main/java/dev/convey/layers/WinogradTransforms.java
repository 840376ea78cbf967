package dev.convey.layers;

import java.nio.FloatBuffer;

/**
 * The three transforms of one Winograd algorithm F(m x m, 3x3) (a 3x3, stride-1 convolution computed in m x m
 * output tiles from (m + 2) x (m + 2) input windows), as {@link WinogradConvolution} uses them:
 * <pre>
 *   U = G g G^T (per kernel version),  V = B^T d B (per block of tiles),  Y = A^T [M] A with M_p = V_p U_p
 * </pre>
 * Layouts as {@link Winograd} describes for F(2x2, 3x3): tile row q = (n, tr) covers output rows m tr .. m tr +
 * m - 1 of image n; V is (points, tiles, in), M (points, tiles, out), U (points, in, out). Two exist: {@link #F2X2}
 * ({@link Winograd}: 16 points, 2.25x fewer multiplies than direct) and {@link Winograd4x4#F4X4} (36 points, 4x).
 */
interface WinogradTransforms {

    /** m: the output tile is m x m. */
    int tileSize();

    /** (m + 2)^2: one GEMM each. */
    int points();

    /** U[p, c, f] of an HWIO kernel (3, 3, in, out). */
    void transformKernel(FloatBuffer kernel, int in, int out, FloatBuffer u);

    /** U'[p, f, c] of the convolution taking the output gradient to the input's (rotated kernel, in and out swapped). */
    void transformKernelForInputGradient(FloatBuffer kernel, int in, int out, FloatBuffer u);

    /**
     * Where U' (see {@link #transformKernelForInputGradient}) is U transposed: U'_p = (U_{sigma[p]})^T for every point p,
     * or null when no such permutation sigma exists (then U' is transformed on its own).
     */
    default int[] inputGradientPoints() {
        return null;
    }

    /** V[p, t, c] for the tiles of tile rows [q0, q1) of x (NHWC), zero outside the image. */
    void transformInput(Window2D g, FloatBuffer x, int q0, int q1, FloatBuffer v);

    /** The output tiles of tile rows [q0, q1) from M, then the epilogue, into y (NHWC) where inside the image. */
    void transformOutput(Window2D g, FloatBuffer m, int q0, int q1, int out, FloatBuffer y, Epilogue.Bound e);

    default int tilesHigh(Window2D g) {
        return (g.outH() + tileSize() - 1) / tileSize();
    }

    default int tilesWide(Window2D g) {
        return (g.outW() + tileSize() - 1) / tileSize();
    }

    /** Tile rows of the whole batch. */
    default int tileRows(Window2D g) {
        return g.batch() * tilesHigh(g);
    }

    /**
     * How the transforms walk a block of tile rows [q0, q1) of tilesW tiles each: in groups of {@code group}
     * adjacent tiles of one tile row (the last group of a row may be shorter), numbered k = 0, 1, ... row by row.
     */
    record TileGroups(int q0, int tilesW, int group) {

        int perRow() {
            return (tilesW + group - 1) / group;
        }

        /** Groups in tile rows [q0, q1). */
        int count(int q1) {
            return (q1 - q0) * perRow();
        }

        /** The tile row q of group k. */
        int tileRow(int k) {
            return q0 + k / perRow();
        }

        /** The column of group k's first tile in its row. */
        int firstTile(int k) {
            return (k % perRow()) * group;
        }

        /** Tiles in group k. */
        int size(int k) {
            return Math.min(group, tilesW - firstTile(k));
        }

        /** Group k's first tile, counted from the block's first tile (its index in V and M). */
        int offset(int k) {
            return (k / perRow()) * tilesW + firstTile(k);
        }
    }

    /** F(2x2, 3x3): the transforms of {@link Winograd}. */
    WinogradTransforms F2X2 = new WinogradTransforms() {
        @Override
        public int tileSize() {
            return 2;
        }

        @Override
        public int points() {
            return Winograd.POINTS;
        }

        @Override
        public void transformKernel(FloatBuffer kernel, int in, int out, FloatBuffer u) {
            Winograd.transformKernel(kernel, in, out, u);
        }

        @Override
        public void transformKernelForInputGradient(FloatBuffer kernel, int in, int out, FloatBuffer u) {
            Winograd.transformKernelForInputGradient(kernel, in, out, u);
        }

        /**
         * Rotating g by 180 degrees reverses G's columns, G J = P G with P swapping rows 0 and 3 (rows 1 and 2 are
         * symmetric), so U' = G J g J G^T = P U P^T: point (a, b) of U' is point (sigma a, sigma b) of U,
         * sigma = (3, 1, 2, 0), its in and out swapped.
         */
        @Override
        public int[] inputGradientPoints() {
            int[] sigma = {3, 1, 2, 0};
            int[] points = new int[Winograd.POINTS];
            for (int p = 0; p < points.length; p++) {
                points[p] = 4 * sigma[p / 4] + sigma[p % 4];
            }
            return points;
        }

        @Override
        public void transformInput(Window2D g, FloatBuffer x, int q0, int q1, FloatBuffer v) {
            Winograd.transformInput(g, x, q0, q1, v);
        }

        @Override
        public void transformOutput(Window2D g, FloatBuffer m, int q0, int q1, int out, FloatBuffer y, Epilogue.Bound e) {
            Winograd.transformOutput(g, m, q0, q1, out, y, e);
        }

        @Override
        public String toString() {
            return "F(2x2, 3x3)";
        }
    };
}
