package dev.convey.layers;

import java.util.Arrays;

/**
 * The depthwise convolution of {@link DepthwiseConv2D}: every input channel c is convolved with its own
 * {@code M = depth_multiplier} filters, giving output channels {@code c * M + q}; nothing is summed over channels.
 * With K the kernel {@code (kh, kw, C, M)} as Keras stores it and (ih, iw) the input pixel of tap (i, j) (see
 * {@link Window2D}):
 * <pre>
 *   y[n, oh, ow, c*M + q]  = b[c*M + q] + sum_{i, j} x[n, ih, iw, c] * K[i, j, c, q]
 *   dL/dK[i, j, c, q]      = sum_{n, oh, ow} x[n, ih, iw, c] * dz[n, oh, ow, c*M + q]
 *   dL/dx[n, ih, iw, c]   += sum_{i, j, q} dz[n, oh, ow, c*M + q] * K[i, j, c, q]    (over every (oh, ow, i, j) reaching it)
 * </pre>
 * It is not a GEMM: each input value meets only kh*kw weights, so the work is memory-bound (read x, write y once).
 * The naive loops right below are the definition; the fast kernels after them equal them (tests, 1e-5).
 *
 * <p>Fast kernels, one output row (n, oh) at a time: for a tap (i, j), the inputs that tap reads along the row
 * are gathered into a row array {@code g[ow*C*M + c*M + q] = x[n, ih, iw(ow, j), c]} (0 in the padding; for M = 1
 * and stride 1 a single bulk copy), and the tap's weights are kept repeated over the row,
 * {@code k_ij[ow*C*M + c*M + q] = K[i, j, c, q]}, so that the inner loop {@code acc[t] += g[t] * k_ij[t]} has all
 * its arrays on one index and HotSpot vectorises it (see docs/ARCHITECTURE.md, "Vectorisation").
 */
final class DepthwiseKernels {

    private DepthwiseKernels() {
    }

    // ---------------------------------------------------------------- the definition (reference)

    /** y = the depthwise convolution of x (NHWC, geometry g) with k (kh, kw, C, M) plus bias (null: none). */
    static void forwardNaive(Window2D g, int m, float[] x, float[] k, float[] bias, float[] y) {
        int c0 = g.channels();
        int cm = c0 * m;
        for (int n = 0; n < g.batch(); n++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    for (int c = 0; c < c0; c++) {
                        for (int q = 0; q < m; q++) {
                            float sum = bias == null ? 0f : bias[c * m + q];
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int ih = g.inputRow(oh, i);
                                    int iw = g.inputCol(ow, j);
                                    if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                        sum += x[g.inputOffset(n, ih, iw) + c] * k[((i * g.kernelW() + j) * c0 + c) * m + q];
                                    }
                                }
                            }
                            y[((n * g.outH() + oh) * g.outW() + ow) * cm + c * m + q] = sum;
                        }
                    }
                }
            }
        }
    }

    /** dx (zeroed here) and dk (overwritten) from dz = dL/d(pre-activation) of shape (N, outH, outW, C*M). */
    static void backwardNaive(Window2D g, int m, float[] x, float[] k, float[] dz, float[] dx, float[] dk) {
        int c0 = g.channels();
        int cm = c0 * m;
        Arrays.fill(dx, 0f);
        Arrays.fill(dk, 0f);
        for (int n = 0; n < g.batch(); n++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    for (int c = 0; c < c0; c++) {
                        for (int q = 0; q < m; q++) {
                            float d = dz[((n * g.outH() + oh) * g.outW() + ow) * cm + c * m + q];
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int ih = g.inputRow(oh, i);
                                    int iw = g.inputCol(ow, j);
                                    if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                        int xi = g.inputOffset(n, ih, iw) + c;
                                        int ki = ((i * g.kernelW() + j) * c0 + c) * m + q;
                                        dk[ki] += x[xi] * d;
                                        dx[xi] += k[ki] * d;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- fast kernels (equal to the above)

    /** {@code k_ij} for every tap: K[i, j, :, :] (C*M floats) repeated outW times, one array per tap. */
    static float[][] tapRows(Window2D g, int m, float[] k) {
        int cm = g.channels() * m;
        float[][] rows = new float[g.kernelH() * g.kernelW()][g.outW() * cm];
        for (int tap = 0; tap < rows.length; tap++) {
            for (int ow = 0; ow < g.outW(); ow++) {
                System.arraycopy(k, tap * cm, rows[tap], ow * cm, cm);
            }
        }
        return rows;
    }

    /** v repeated {@code times} times: a per-channel constant laid out like an output row. */
    static float[] repeat(float[] v, int times) {
        float[] out = new float[v.length * times];
        for (int r = 0; r < times; r++) {
            System.arraycopy(v, 0, out, r * v.length, v.length);
        }
        return out;
    }

    /** The first output column whose tap j reads inside the image (iw >= 0). */
    static int firstColumn(Window2D g, int j) {
        int ow = 0;
        while (ow < g.outW() && g.inputCol(ow, j) < 0) {
            ow++;
        }
        return ow;
    }

    /** One past the last output column whose tap j reads inside the image (iw < width). */
    static int endColumn(Window2D g, int j) {
        int ow = g.outW();
        while (ow > 0 && g.inputCol(ow - 1, j) >= g.width()) {
            ow--;
        }
        return ow;
    }

    /**
     * g[ow*C*M + c*M + q] = xRow[iw(ow, j)*C + c] for the output columns whose tap j lies in the image row xRow,
     * 0 for the others (the padding): the inputs tap j reads, laid out like an output row.
     */
    static void gather(Window2D g, int m, float[] xRow, int j, float[] out) {
        int c0 = g.channels();
        int cm = c0 * m;
        int lo = firstColumn(g, j);
        int hi = Math.max(lo, endColumn(g, j));
        Arrays.fill(out, 0, lo * cm, 0f);
        Arrays.fill(out, hi * cm, g.outW() * cm, 0f);
        if (m == 1 && g.strideW() == 1) {
            System.arraycopy(xRow, g.inputCol(lo, j) * c0, out, lo * c0, (hi - lo) * c0);
        } else if (m == 1) {
            for (int ow = lo; ow < hi; ow++) {
                System.arraycopy(xRow, g.inputCol(ow, j) * c0, out, ow * c0, c0);
            }
        } else {
            for (int ow = lo; ow < hi; ow++) {
                int from = g.inputCol(ow, j) * c0;
                for (int c = 0; c < c0; c++) {
                    Arrays.fill(out, ow * cm + c * m, ow * cm + (c + 1) * m, xRow[from + c]);
                }
            }
        }
    }

    /**
     * The reverse of {@link #gather}: dxRow[iw(ow, j)*C + c] += sum_q v[ow*C*M + c*M + q] over the columns inside
     * the image; {@code tmp} is a row-sized workspace.
     */
    static void scatterAdd(Window2D g, int m, float[] v, int j, float[] dxRow, float[] tmp) {
        int c0 = g.channels();
        int cm = c0 * m;
        int lo = firstColumn(g, j);
        int hi = Math.max(lo, endColumn(g, j));
        if (m == 1 && g.strideW() == 1) {
            int at = g.inputCol(lo, j) * c0;
            int length = (hi - lo) * c0;
            int from = lo * c0;
            System.arraycopy(dxRow, at, tmp, from, length);
            for (int t = from; t < from + length; t++) {
                tmp[t] += v[t];
            }
            System.arraycopy(tmp, from, dxRow, at, length);
            return;
        }
        for (int ow = lo; ow < hi; ow++) {
            int at = g.inputCol(ow, j) * c0;
            for (int c = 0; c < c0; c++) {
                float sum = 0f;
                for (int q = 0; q < m; q++) {
                    sum += v[ow * cm + c * m + q];
                }
                dxRow[at + c] += sum;
            }
        }
    }

    /** acc[t] += a[t] * b[t] for t &lt; length: the vectorised inner loop of every kernel here. */
    static void multiplyAdd(float[] acc, float[] a, float[] b, int length) {
        for (int t = 0; t < length; t++) {
            acc[t] += a[t] * b[t];
        }
    }

    /** out[t] = a[t] * b[t] for t &lt; length. */
    static void multiply(float[] out, float[] a, float[] b, int length) {
        for (int t = 0; t < length; t++) {
            out[t] = a[t] * b[t];
        }
    }

    /**
     * One output row of the forward pass: acc (outW*C*M floats, holding the bias row or zeros) += sum over the taps
     * of gather(x row ih, j) * k_ij. {@code rows[i]} is image row ih(oh, i) (null when it lies in the padding).
     */
    static void forwardRow(Window2D g, int m, float[][] rows, float[][] taps, float[] acc, float[] gathered) {
        int length = g.outW() * g.channels() * m;
        for (int i = 0; i < g.kernelH(); i++) {
            if (rows[i] == null) {
                continue;
            }
            for (int j = 0; j < g.kernelW(); j++) {
                gather(g, m, rows[i], j, gathered);
                multiplyAdd(acc, gathered, taps[i * g.kernelW() + j], length);
            }
        }
    }

    /**
     * One output row of the backward pass, given its dz row: dkRows[tap] += gather(x row, j) * dz (per column,
     * summed over the columns later), and the input rows' gradients dxRows[i] += scatter(dz * k_ij).
     */
    static void backwardRow(Window2D g, int m, float[][] rows, float[][] taps, float[] dzRow, float[][] dkRows,
                            float[][] dxRows, float[] work, float[] tmp) {
        int length = g.outW() * g.channels() * m;
        for (int i = 0; i < g.kernelH(); i++) {
            if (rows[i] == null) {
                continue;
            }
            for (int j = 0; j < g.kernelW(); j++) {
                int tap = i * g.kernelW() + j;
                if (dkRows != null) {
                    gather(g, m, rows[i], j, work);
                    multiplyAdd(dkRows[tap], work, dzRow, length);
                }
                if (dxRows != null) {
                    multiply(work, dzRow, taps[tap], length);
                    scatterAdd(g, m, work, j, dxRows[i], tmp);
                }
            }
        }
    }
}
