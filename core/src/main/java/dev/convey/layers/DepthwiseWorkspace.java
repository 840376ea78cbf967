package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * One thread's arrays for {@link DepthwiseConvolution}: the ring of the rows it read last (expanded rows of x in the
 * forward pass, rows of dz in the backward pass), the block arrays, and in the backward pass dK's partial sums.
 * Kept across calls while the row geometry is the same.
 */
final class DepthwiseWorkspace {
    final DepthwiseConvolution.Layout layout;
    final float[][] ring;
    final long[] ringKey;   // which row (image * rows + row) each ring slot holds, -1 for none
    final float[][] rows;   // the rows of the current output (forward) or input (backward) row
    final int[] tapRow;
    final float[] acc;
    final float[] gathered;
    final float[] residual;
    final float[] dzBlock;
    final float[] plainRow;
    final float[] expanded;
    final float[] dxRow;
    final float[][] kernelGradient;

    DepthwiseWorkspace(DepthwiseConvolution.Layout l) {
        Window2D g = l.g();
        int blockFloats = l.block() * l.cm();
        int rowFloats = Math.max(l.expandedFloats(), g.outW() * l.cm());
        layout = l;
        ring = new float[(g.kernelH() - 1) * g.dilationH() + 1][rowFloats];
        ringKey = new long[ring.length];
        rows = new float[g.kernelH()][];
        tapRow = new int[g.kernelH()];
        acc = new float[blockFloats];
        gathered = new float[blockFloats];
        residual = new float[blockFloats];
        dzBlock = new float[blockFloats];
        plainRow = new float[g.width() * g.channels()];
        expanded = new float[l.expandedFloats()];
        dxRow = new float[g.width() * g.channels()];
        kernelGradient = new float[g.kernelH() * g.kernelW()][blockFloats];
    }

    boolean fits(DepthwiseConvolution.Layout l) {
        Window2D a = layout.g();
        Window2D b = l.g();
        return layout.m() == l.m() && a.width() == b.width() && a.channels() == b.channels()
                && a.outW() == b.outW() && a.kernelH() == b.kernelH() && a.kernelW() == b.kernelW()
                && a.dilationH() == b.dilationH() && a.strideW() == b.strideW();
    }

    /** Input row (n, ih), expanded (from the ring, or read into it). */
    float[] expandedRow(DepthwiseConvolution.Layout l, FloatBuffer x, int n, int ih) {
        int slot = ih % ring.length;
        long key = (long) n * l.g().height() + ih;
        if (ringKey[slot] != key) {
            expand(l, x, n, ih, ring[slot]);
            ringKey[slot] = key;
        }
        return ring[slot];
    }

    /** dz's output row (n, oh) (from the ring, or read into it). */
    float[] outputGradientRow(DepthwiseConvolution.Layout l, FloatBuffer dz, int n, int oh) {
        int slot = oh % ring.length;
        long key = (long) n * l.g().outH() + oh;
        if (ringKey[slot] != key) {
            int floats = l.g().outW() * l.cm();
            dz.get((n * l.g().outH() + oh) * floats, ring[slot], 0, floats);
            ringKey[slot] = key;
        }
        return ring[slot];
    }

    /** e = input row (n, ih) expanded: e[phaseStart(p) + u*CM + c*M + q] = x[n, ih, u*s + p, c]. */
    void expand(DepthwiseConvolution.Layout l, FloatBuffer x, int n, int ih, float[] e) {
        Window2D g = l.g();
        int c0 = g.channels();
        int m = l.m();
        int s = g.strideW();
        if (m == 1 && s == 1) {
            x.get(g.inputOffset(n, ih, 0), e, 0, g.width() * c0);
            return;
        }
        x.get(g.inputOffset(n, ih, 0), plainRow, 0, g.width() * c0);
        for (int iw = 0; iw < g.width(); iw++) {
            int to = l.phaseStart(iw % s) + (iw / s) * l.cm();
            if (m == 1) {
                System.arraycopy(plainRow, iw * c0, e, to, c0);
                continue;
            }
            for (int c = 0; c < c0; c++) {
                Arrays.fill(e, to + c * m, to + (c + 1) * m, plainRow[iw * c0 + c]);
            }
        }
    }

    void clearKernelGradient() {
        for (float[] partial : kernelGradient) {
            Arrays.fill(partial, 0f);
        }
    }
}
