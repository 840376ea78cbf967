package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * {@link DepthwiseConv2D}'s kernel, direct loops; equals {@link ReferenceConvolution#depthwise} and
 * {@link ReferenceConvolution#depthwiseBackward}. Letters: C channels, M the depth multiplier, t = c*M + q an output
 * channel (CM of them), s and d the stride and dilation along the width. It is not a GEMM: each input value meets
 * only kh*kw weights, so a pass is memory-bound and should move x and y once. By strips ({@link DepthwiseForward}:
 * strips down the rows, each input row copied once per tap column): the forward pass, and at stride 1 without a
 * multiplier the backward pass (dK; dx as a forward pass of dz with K flipped, {@link #transposed}). Row by row
 * (below): the backward pass at other strides or with a multiplier, and, under the system property
 * {@value #ROWS_PROPERTY} = true, everything as before the strips (for A/B runs, {@code DepthwiseProbe}).
 *
 * <p>Layout. Tap j of output column ow reads input column iw = ow*s + j*d - padLeft = (ow + a_j)*s + p_j. So a row
 * of x is kept <em>expanded</em>, split into the s phases of its columns and each value repeated M times,
 * {@code E[p][u][t] = x[n, ih, u*s + p, c]}, and along an output row tap j reads the contiguous run
 * {@code E[p_j][ow + a_j][:]}. The tap weights are kept repeated over a block of B output pixels,
 * {@code Kb_ij[b][t] = K[i, j, c, q]}. Per block of B columns starting at ow0 (E of input row ih(oh, i)):
 * <pre>
 *   forward,  per output row:  acc[b][t]      = sum_{i, j} E[p_j][ow0 + b + a_j][t] * Kb_ij[b][t]   then the epilogue
 *   backward, per input row ih, for every (i, oh) with ih(oh, i) = ih:
 *                              dK_ij[b][t]   += E[p_j][ow0 + b + a_j][t] * dz[n, oh, ow0 + b, t]   (then summed over b)
 *                              dE[p_j][u][t] += dz[n, oh, u - a_j, t] * Kb_ij[.][t]
 *                              dx[n, ih, u*s + p, c] = sum_q dE[p][u][c*M + q]
 * </pre>
 * Each run is copied into a block array first ({@link #addTap}), so that the loop {@code acc[i] += a[i] * b[i]} has
 * all its arrays on one index and HotSpot vectorises it (docs/ARCHITECTURE.md, "Vectorisation"); a block and the
 * kh*kw weight blocks stay in L1. The forward pass splits output rows over the cores, the backward pass input rows
 * (so each dx row has one writer; dK is summed per thread, then over the threads); each thread keeps the last
 * R = (kh - 1)*dh + 1 rows of E (forward) or dz (backward) it read, so every row is read from memory about once.
 */
final class DepthwiseConvolution implements ConvolutionKernel {

    /** Floats in a block: max(1, BLOCK_FLOATS / CM) output pixels; 3x3 taps' weight blocks are 18 KB. */
    private static final int BLOCK_FLOATS = 512;
    /**
     * {@link DepthwiseForward}'s strips: about STRIP_FLOATS floats (ceil(STRIP_FLOATS / CM) pixels; shorter loops
     * spend much of their time outside the vectorised part: 0.12 against 0.05 ns a multiply-add at 256 and 2048
     * floats, measured), fewer if the R*kw shifted strips, the kh*kw weight strips and acc would take more than
     * CACHE_FLOATS (half of a 1 MB L2).
     */
    private static final int STRIP_FLOATS = Integer.getInteger("convey.depthwise.stripFloats", 2048);
    private static final int CACHE_FLOATS = Integer.getInteger("convey.depthwise.cacheFloats", 1 << 17);
    /** System property: true runs the forward pass row by row as before {@link DepthwiseForward} (for A/B runs). */
    static final String ROWS_PROPERTY = "convey.depthwise.rows";

    private final DepthwiseWorkspace[] workspaces = new DepthwiseWorkspace[Parallel.threads()];
    private final DepthwiseForward strips = new DepthwiseForward(Parallel.threads());
    private final DepthwiseForward inputGradientStrips = new DepthwiseForward(Parallel.threads());
    // Kb_ij over a block [0] (backward, rows), a strip [1] (DepthwiseForward) or a strip of K flipped [2] (dx by
    // strips, see transposed), for kernel tapKernel at tapVersion
    private final float[][][] tapBlocks = new float[3][][];
    private final Parameter[] tapKernel = new Parameter[3];
    private final long[] tapVersion = {-1, -1, -1};
    private float[] kernelGradient = new float[0];

    /** The geometry plus what the loops derive from it; p[j] and a[j] as in the class comment. */
    record Layout(Window2D g, int m, int cm, int block, int strip, int phaseColumns, int[] p, int[] a) {

        static Layout of(Window2D g, int m) {
            int s = g.strideW();
            int[] p = new int[g.kernelW()];
            int[] a = new int[g.kernelW()];
            for (int j = 0; j < p.length; j++) {
                int offset = j * g.dilationW() - g.padLeft();
                p[j] = Math.floorMod(offset, s);
                a[j] = Math.floorDiv(offset, s);
            }
            int cm = g.channels() * m;
            int arrays = g.kernelH() * g.kernelW() + ((g.kernelH() - 1) * g.dilationH() + 1) * g.kernelW() + 3;
            int strip = Math.max(1, Math.min(g.outW(), Math.min((STRIP_FLOATS + cm - 1) / cm, CACHE_FLOATS / (cm * arrays))));
            return new Layout(g, m, cm, Math.max(1, BLOCK_FLOATS / cm), strip, (g.width() + s - 1) / s, p, a);
        }

        /** The columns of phase ph: u with u*s + ph &lt; width. */
        int columns(int ph) {
            return (g.width() - ph + g.strideW() - 1) / g.strideW();
        }

        /** Where phase ph starts in an expanded row. */
        int phaseStart(int ph) {
            return ph * phaseColumns * cm;
        }

        int expandedFloats() {
            return g.strideW() * phaseColumns * cm;
        }
    }

    // ---------------------------------------------------------------- forward

    @Override
    public void forward(Window2D g, Tensor x, Parameter kernel, Tensor y, Epilogue.Bound e) {
        Layout l = Layout.of(g, kernel.value().dim(3));
        if (!"true".equals(System.getProperty(ROWS_PROPERTY))) {
            strips.forward(l, tapBlocks(l, kernel, 1), x.data(), y.data(), e);
            return;
        }
        float[][] taps = tapBlocks(l, kernel, 0);
        Gemm.shares(g.batch() * g.outH(), (share, r0, r1) -> {
            DepthwiseWorkspace w = workspace(share, l);
            for (int r = r0; r < r1; r++) {
                forwardRow(l, w, taps, x.data(), r / g.outH(), r % g.outH(), y.data(), e);
            }
        });
    }

    /** Output row (n, oh), block by block: the taps' sum, then the epilogue, then one copy into y. */
    private static void forwardRow(Layout l, DepthwiseWorkspace w, float[][] taps, FloatBuffer x, int n, int oh,
                                   FloatBuffer y, Epilogue.Bound e) {
        Window2D g = l.g();
        for (int i = 0; i < g.kernelH(); i++) {
            int ih = g.inputRow(oh, i);
            w.rows[i] = ih >= 0 && ih < g.height() ? w.expandedRow(l, x, n, ih) : null;
        }
        int rowStart = (n * g.outH() + oh) * g.outW() * l.cm();
        for (int b0 = 0; b0 < g.outW(); b0 += l.block()) {
            int b1 = Math.min(g.outW(), b0 + l.block());
            int length = (b1 - b0) * l.cm();
            Arrays.fill(w.acc, 0, length, 0f);
            for (int i = 0; i < g.kernelH(); i++) {
                for (int j = 0; w.rows[i] != null && j < g.kernelW(); j++) {
                    int ph = l.p()[j];
                    addTap(w.rows[i], l.phaseStart(ph), l.columns(ph), l.a()[j], b0, b1, l.cm(),
                            taps[i * g.kernelW() + j], w.gathered, w.acc);
                }
            }
            if (e.residual() != null) {
                e.residual().get(rowStart + b0 * l.cm(), w.residual, 0, length);
            }
            Epilogue.apply(e, w.acc, w.residual, length, l.cm());
            y.put(rowStart + b0 * l.cm(), w.acc, 0, length);
        }
    }

    /**
     * One tap on one block of columns [b0, b1): acc[b][t] += src[start + (b0 + b + shift)*CM + t] * k[b][t] for the
     * columns whose source lies in src's {@code columns} (the others read padding). The run is copied into
     * {@code gathered} first, at the block's own index.
     */
    private static void addTap(float[] src, int start, int columns, int shift, int b0, int b1, int cm, float[] k,
                               float[] gathered, float[] acc) {
        int lo = Math.max(b0, -shift);
        int hi = Math.min(b1, columns - shift);
        if (lo < hi) {
            int from = (lo - b0) * cm;
            int to = (hi - b0) * cm;
            System.arraycopy(src, start + (lo + shift) * cm, gathered, from, to - from);
            for (int t = from; t < to; t++) {
                acc[t] += gathered[t] * k[t];
            }
        }
    }

    /**
     * Kb_ij for every tap: K[i, j, :, :] (CM floats) repeated over a block ({@code kind} 0) or a strip (1), or
     * K[kh - 1 - i, kw - 1 - j, :, :] over a strip (2), the arrays {@link DepthwiseForward#padded} long (zeros
     * after), recomputed when the kernel changed.
     */
    private float[][] tapBlocks(Layout l, Parameter kernel, int kind) {
        int pixels = kind == 0 ? l.block() : l.strip();
        int length = DepthwiseForward.padded(pixels * l.cm());
        float[][] blocks = tapBlocks[kind];
        if (blocks == null || tapKernel[kind] != kernel || tapVersion[kind] != kernel.version()
                || blocks[0].length != length || blocks.length != l.g().kernelH() * l.g().kernelW()) {
            float[] k = kernel.valueArray();
            blocks = new float[l.g().kernelH() * l.g().kernelW()][length];
            for (int tap = 0; tap < blocks.length; tap++) {
                for (int b = 0; b < pixels; b++) {
                    System.arraycopy(k, (kind == 2 ? blocks.length - 1 - tap : tap) * l.cm(), blocks[tap], b * l.cm(),
                            l.cm());
                }
            }
            tapBlocks[kind] = blocks;
            tapKernel[kind] = kernel;
            tapVersion[kind] = kernel.version();
        }
        return blocks;
    }

    // ---------------------------------------------------------------- backward

    @Override
    public void backward(Window2D g, Tensor x, Parameter kernel, Tensor dz, boolean weightGradients, Tensor dx) {
        if (!weightGradients && dx == null) {
            return;
        }
        Layout l = Layout.of(g, kernel.value().dim(3));
        // By strips at stride 1 without a multiplier. Otherwise dx needs the rows, and the rows' pass makes dK from the
        // same rows at little extra cost: dK by strips and dx by rows took twice as long at stride 2 (5x5, 56x56x144).
        if (l.m() == 1 && g.strideH() == 1 && g.strideW() == 1 && !"true".equals(System.getProperty(ROWS_PROPERTY))) {
            if (weightGradients) {
                strips.kernelGradient(l, x.data(), dz.data(), kernel.gradient().data());
            }
            if (dx != null) {
                // dx = depthwise(dz, K flipped) over the transposed geometry (see transposed), by strips
                Layout t = Layout.of(transposed(g), 1);
                inputGradientStrips.forward(t, tapBlocks(t, kernel, 2), dz.data(), dx.data(), Epilogue.Bound.NONE);
            }
            return;
        }
        float[][] taps = tapBlocks(l, kernel, 0);
        Gemm.shares(g.batch() * g.height(), (share, r0, r1) -> {
            DepthwiseWorkspace w = workspace(share, l);
            if (weightGradients) {
                w.clearKernelGradient();
            }
            for (int r = r0; r < r1; r++) {
                backwardRow(l, w, taps, x.data(), dz.data(), r / g.height(), r % g.height(), weightGradients,
                        dx == null ? null : dx.data());
            }
        });
        if (weightGradients) {
            sumKernelGradient(l, kernel.gradient().data());
        }
    }

    /**
     * At stride 1 without a multiplier, dx is itself a depthwise convolution: dx[n, ih, iw, c] = sum_{i, j}
     * dz[n, oh, ow, c] * K[i, j, c] over oh = ih + padTop - i*dh (and ow alike) inside dz; with i' = kh - 1 - i,
     * oh = ih - padTop' + i'*dh, padTop' = (kh - 1)*dh - padTop. So dx = depthwise(dz, K'), K'[i', j'] =
     * K[kh - 1 - i', kw - 1 - j'], over this geometry: dz as the input, x's size as the output.
     */
    static Window2D transposed(Window2D g) {
        return new Window2D(g.batch(), g.outH(), g.outW(), g.channels(), g.kernelH(), g.kernelW(), 1, 1,
                g.dilationH(), g.dilationW(), g.height(), g.width(),
                (g.kernelH() - 1) * g.dilationH() - g.padTop(), (g.kernelW() - 1) * g.dilationW() - g.padLeft());
    }

    /** Input row (n, ih): its share of dK, and its dx row, from the output rows oh it feeds (ih(oh, i) = ih). */
    private static void backwardRow(Layout l, DepthwiseWorkspace w, float[][] taps, FloatBuffer x, FloatBuffer dz,
                                    int n, int ih, boolean weightGradients, FloatBuffer dx) {
        Window2D g = l.g();
        int fed = 0;
        for (int i = 0; i < g.kernelH(); i++) {
            int o = ih + g.padTop() - i * g.dilationH();
            if (o >= 0 && o % g.strideH() == 0 && o / g.strideH() < g.outH()) {
                w.tapRow[fed] = i;
                w.rows[fed++] = w.outputGradientRow(l, dz, n, o / g.strideH());
            }
        }
        if (weightGradients && fed > 0) {
            w.expand(l, x, n, ih, w.expanded);
            for (int f = 0; f < fed; f++) {
                for (int b0 = 0; b0 < g.outW(); b0 += l.block()) {
                    int b1 = Math.min(g.outW(), b0 + l.block());
                    System.arraycopy(w.rows[f], b0 * l.cm(), w.dzBlock, 0, (b1 - b0) * l.cm());
                    for (int j = 0; j < g.kernelW(); j++) {
                        int ph = l.p()[j];
                        addTap(w.expanded, l.phaseStart(ph), l.columns(ph), l.a()[j], b0, b1, l.cm(), w.dzBlock,
                                w.gathered, w.kernelGradient[w.tapRow[f] * g.kernelW() + j]);
                    }
                }
            }
        }
        if (dx != null) {
            inputGradientRow(l, w, taps, fed, dx, g.inputOffset(n, ih, 0));
        }
    }

    /** dx row = dE folded over the phases and M, phase by phase and block by block (see the class comment). */
    private static void inputGradientRow(Layout l, DepthwiseWorkspace w, float[][] taps, int fed, FloatBuffer dx,
                                         int rowStart) {
        Window2D g = l.g();
        int c0 = g.channels();
        boolean direct = l.m() == 1 && g.strideW() == 1;   // dE is the dx row itself
        for (int ph = 0; ph < g.strideW(); ph++) {
            for (int u0 = 0; u0 < l.columns(ph); u0 += l.block()) {
                int u1 = Math.min(l.columns(ph), u0 + l.block());
                Arrays.fill(w.acc, 0, (u1 - u0) * l.cm(), 0f);
                for (int f = 0; f < fed; f++) {
                    for (int j = 0; j < g.kernelW(); j++) {
                        if (l.p()[j] == ph) {
                            addTap(w.rows[f], 0, g.outW(), -l.a()[j], u0, u1, l.cm(),
                                    taps[w.tapRow[f] * g.kernelW() + j], w.gathered, w.acc);
                        }
                    }
                }
                if (direct) {
                    dx.put(rowStart + u0 * c0, w.acc, 0, (u1 - u0) * c0);
                } else {
                    fold(l, w.acc, u0, u1, ph, w.dxRow);
                }
            }
        }
        if (!direct) {
            dx.put(rowStart, w.dxRow, 0, g.width() * c0);
        }
    }

    /** dxRow[(u*s + ph)*C + c] = sum_q dE[u - u0][c*M + q] for the block's columns u0 &lt;= u &lt; u1. */
    private static void fold(Layout l, float[] dE, int u0, int u1, int ph, float[] dxRow) {
        int c0 = l.g().channels();
        int m = l.m();
        for (int u = u0; u < u1; u++) {
            int to = (u * l.g().strideW() + ph) * c0;
            int from = (u - u0) * l.cm();
            if (m == 1) {
                System.arraycopy(dE, from, dxRow, to, c0);
                continue;
            }
            for (int c = 0; c < c0; c++) {
                float sum = 0f;
                for (int q = 0; q < m; q++) {
                    sum += dE[from + c * m + q];
                }
                dxRow[to + c] = sum;
            }
        }
    }

    /** dK[tap, t] = the threads' dK_tap[b][t] summed over b and the threads. */
    private void sumKernelGradient(Layout l, FloatBuffer gradient) {
        int taps = l.g().kernelH() * l.g().kernelW();
        int cm = l.cm();
        if (kernelGradient.length != taps * cm) {
            kernelGradient = new float[taps * cm];
        }
        Arrays.fill(kernelGradient, 0f);
        for (DepthwiseWorkspace w : workspaces) {
            addBlocks(w.kernelGradient, l.block(), cm, kernelGradient);
        }
        gradient.put(0, kernelGradient);
    }

    /** sum[tap*CM + t] += partial[tap][b*CM + t] over the {@code pixels} b of a block: one thread's dK. */
    static void addBlocks(float[][] partial, int pixels, int cm, float[] sum) {
        for (int tap = 0; tap < partial.length; tap++) {
            for (int b = 0; b < pixels; b++) {
                for (int t = 0; t < cm; t++) {
                    sum[tap * cm + t] += partial[tap][b * cm + t];
                }
            }
        }
    }

    // ---------------------------------------------------------------- workspaces

    /** Thread {@code share}'s workspace, sized for layout l (kept across calls; its ring is emptied here). */
    private DepthwiseWorkspace workspace(int share, Layout l) {
        DepthwiseWorkspace w = workspaces[share];
        if (w == null || !w.fits(l)) {
            w = new DepthwiseWorkspace(l);
            workspaces[share] = w;
        }
        Arrays.fill(w.ringKey, -1);
        return w;
    }
}
