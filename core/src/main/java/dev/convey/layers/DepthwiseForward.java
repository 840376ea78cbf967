package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

import dev.convey.tensor.Gemm;

/**
 * {@link DepthwiseConvolution}'s forward pass by strips; equals {@link ReferenceConvolution#depthwise}:
 * <pre>
 *   y[n, oh, ow, t] = sum_{i, j} x[n, ih_i, iw_j, c] * K[i, j, c, q]        t = c*M + q
 *   ih_i = oh*sh - padTop + i*dh,   iw_j = ow*sw - padLeft + j*dw,   pixels outside the image zero
 * </pre>
 * A strip is B consecutive output columns [b0, b1) (the {@link DepthwiseConvolution.Layout#strip}) of the output
 * rows a thread owns, walked from top to bottom. For an input row ih and a tap column j the <em>shifted strip</em>
 * {@code S[ih, j][b*CM + t] = x[n, ih, iw_j(b0 + b), c]} (zero in the padding) is copied once, kept in a ring of the
 * last R = (kh - 1)*dh + 1 input rows, and read by every output row that needs row ih. With the tap weights
 * repeated over the strip, {@code Kb_ij[b*CM + t] = K[i, j, c, q]}, one output row of the strip is
 * <pre>
 *   acc[p] = sum_{i: ih_i inside the image} sum_j S[ih_i, j][p] * Kb_ij[p]        (p = b*CM + t)
 * </pre>
 * a loop in which every array has the same index, so HotSpot vectorises it (docs/ARCHITECTURE.md,
 * "Vectorisation"; one kernel row of up to three taps per loop, more arrays stop it from unrolling). The padding
 * is handled once, when a strip is copied (the border columns get zeros, rows outside are skipped), so the
 * loops have no bounds checks. Then the epilogue (bias, folded batch norm, residual, activation) runs on acc while
 * it is in L1, and one copy puts it into y. Threads split the output rows ({@link Gemm#shares}); a strip's working
 * set (R*kw shifted strips, kh*kw weight strips, acc) is sized to stay in L2.
 */
final class DepthwiseForward {

    /** Floats per iteration of HotSpot's vectorised loops at most (AVX-512: 16 lanes, unrolled 4 times). */
    static final int VECTOR_FLOATS = 64;

    private final Strips[] workspaces;

    DepthwiseForward(int threads) {
        workspaces = new Strips[threads];
    }

    /** y = the epilogue of depthwise(x, K); {@code taps} are the Kb_ij (see the class comment). */
    void forward(DepthwiseConvolution.Layout l, float[][] taps, FloatBuffer x, FloatBuffer y, Epilogue.Bound e) {
        eachStrip(l, (w, n, oh0, oh1, b0, b1) -> {
            if (n >= 0) {
                strip(l, w, taps, x, n, oh0, oh1, b0, b1, y, e);
            }
        });
    }

    /** One thread's strip: output rows [oh0, oh1) of image n, columns [b0, b1), with the thread's workspace. */
    @FunctionalInterface
    private interface StripBody {
        void run(Strips w, int n, int oh0, int oh1, int b0, int b1);
    }

    /** The output rows split over the cores ({@link Gemm#shares}), each thread's rows per image strip by strip. */
    private void eachStrip(DepthwiseConvolution.Layout l, StripBody body) {
        Window2D g = l.g();
        Gemm.shares(g.batch() * g.outH(), (share, r0, r1) -> {
            Strips w = workspace(share, l);
            body.run(w, -1, 0, 0, 0, 0);   // n = -1: before the thread's first strip
            for (int r = r0; r < r1; ) {
                int n = r / g.outH();
                int end = Math.min(r1, (n + 1) * g.outH());
                for (int b0 = 0; b0 < g.outW(); b0 += l.strip()) {
                    Arrays.fill(w.ringKey, -1);   // the ring holds this strip's rows only
                    body.run(w, n, r - n * g.outH(), end - n * g.outH(), b0, Math.min(g.outW(), b0 + l.strip()));
                }
                r = end;
            }
        });
    }

    /**
     * dK by the same strips, equal to {@link ReferenceConvolution#depthwiseBackward}'s
     * dK[i, j, c, q] = sum_{n, oh, ow} x[n, ih_i, iw_j, c] * dz[n, oh, ow, c*M + q]: per thread,
     * {@code partial_ij[p] += S[ih_i, j][p] * dz_strip[p]} (p = b*CM + t), then summed over b and the threads into
     * {@code gradient} (kh*kw*CM floats, overwritten).
     */
    void kernelGradient(DepthwiseConvolution.Layout l, FloatBuffer x, FloatBuffer dz, FloatBuffer gradient) {
        Window2D g = l.g();
        int taps = g.kernelH() * g.kernelW();
        eachStrip(l, (w, n, oh0, oh1, b0, b1) -> {
            if (n < 0) {
                w.clearPartial(taps);
            } else {
                kernelGradientStrip(l, w, x, dz, n, oh0, oh1, b0, b1);
            }
        });
        int cm = l.cm();
        float[] sum = new float[taps * cm];
        for (Strips w : workspaces) {
            DepthwiseConvolution.addBlocks(w.partial, l.strip(), cm, sum);
        }
        gradient.put(0, sum);
    }

    /** Output rows [oh0, oh1) of image n, columns [b0, b1): their share of the partial dK. */
    private static void kernelGradientStrip(DepthwiseConvolution.Layout l, Strips w, FloatBuffer x, FloatBuffer dz,
                                            int n, int oh0, int oh1, int b0, int b1) {
        Window2D g = l.g();
        int length = (b1 - b0) * l.cm();
        int loop = padded(length);
        for (int oh = oh0; oh < oh1; oh++) {
            dz.get(((n * g.outH() + oh) * g.outW() + b0) * l.cm(), w.acc, 0, length);
            Arrays.fill(w.acc, length, loop, 0f);   // a short strip's tail adds nothing
            for (int i = 0; i < g.kernelH(); i++) {
                int ih = g.inputRow(oh, i);
                if (ih >= 0 && ih < g.height()) {
                    float[][] s = w.shifted(l, x, n, ih, b0, b1);
                    for (int j = 0; j < s.length; j++) {
                        add1(w.partial[i * g.kernelW() + j], s[j], w.acc, loop);
                    }
                }
            }
        }
    }

    /** Output rows [oh0, oh1) of image n, columns [b0, b1): the taps' sum, the epilogue, one copy into y. */
    private static void strip(DepthwiseConvolution.Layout l, Strips w, float[][] taps, FloatBuffer x, int n,
                              int oh0, int oh1, int b0, int b1, FloatBuffer y, Epilogue.Bound e) {
        Window2D g = l.g();
        int length = (b1 - b0) * l.cm();
        int loop = padded(length);
        for (int oh = oh0; oh < oh1; oh++) {
            boolean first = true;
            for (int i = 0; i < g.kernelH(); i++) {
                int ih = g.inputRow(oh, i);
                if (ih >= 0 && ih < g.height()) {
                    addKernelRow(w.acc, first, w.shifted(l, x, n, ih, b0, b1), taps, i * g.kernelW(), loop);
                    first = false;
                }
            }
            if (first) {
                Arrays.fill(w.acc, 0, length, 0f);
            }
            int at = ((n * g.outH() + oh) * g.outW() + b0) * l.cm();
            if (e.residual() != null) {
                e.residual().get(at, w.residual, 0, length);
            }
            Epilogue.apply(e, w.acc, w.residual, length, l.cm());
            y.put(at, w.acc, 0, length);
        }
    }

    /**
     * The loops' length: a strip's floats rounded up to a multiple of {@link #VECTOR_FLOATS}, so that HotSpot's
     * vectorised loop runs to the end instead of leaving a scalar tail (the arrays are that long; past the strip
     * they hold zeros or an earlier strip's values, and nothing reads the sums there).
     */
    static int padded(int floats) {
        return (floats + VECTOR_FLOATS - 1) / VECTOR_FLOATS * VECTOR_FLOATS;
    }

    /**
     * acc[p] (=, for the first kernel row of an output row, else +=) sum_j s[j][p] * k[tap0 + j][p] over one kernel
     * row, three taps per loop.
     */
    private static void addKernelRow(float[] acc, boolean first, float[][] s, float[][] k, int tap0, int length) {
        int j = 0;
        for (; j + 3 <= s.length; j += 3, first = false) {
            if (first) {
                set3(acc, s[j], k[tap0 + j], s[j + 1], k[tap0 + j + 1], s[j + 2], k[tap0 + j + 2], length);
            } else {
                add3(acc, s[j], k[tap0 + j], s[j + 1], k[tap0 + j + 1], s[j + 2], k[tap0 + j + 2], length);
            }
        }
        if (first && j < s.length) {
            Arrays.fill(acc, 0, length, 0f);
        }
        if (s.length - j == 2) {
            add2(acc, s[j], k[tap0 + j], s[j + 1], k[tap0 + j + 1], length);
        } else if (s.length - j == 1) {
            add1(acc, s[j], k[tap0 + j], length);
        }
    }

    private static void set3(float[] acc, float[] x0, float[] k0, float[] x1, float[] k1, float[] x2, float[] k2,
                             int length) {
        for (int p = 0; p < length; p++) {
            acc[p] = x0[p] * k0[p] + x1[p] * k1[p] + x2[p] * k2[p];
        }
    }

    private static void add3(float[] acc, float[] x0, float[] k0, float[] x1, float[] k1, float[] x2, float[] k2,
                             int length) {
        for (int p = 0; p < length; p++) {
            acc[p] += x0[p] * k0[p] + x1[p] * k1[p] + x2[p] * k2[p];
        }
    }

    private static void add2(float[] acc, float[] x0, float[] k0, float[] x1, float[] k1, int length) {
        for (int p = 0; p < length; p++) {
            acc[p] += x0[p] * k0[p] + x1[p] * k1[p];
        }
    }

    private static void add1(float[] acc, float[] x0, float[] k0, int length) {
        for (int p = 0; p < length; p++) {
            acc[p] += x0[p] * k0[p];
        }
    }

    /** Thread {@code share}'s workspace, sized for layout l (kept across calls). */
    private Strips workspace(int share, DepthwiseConvolution.Layout l) {
        Strips w = workspaces[share];
        if (w == null || !w.fits(l)) {
            w = new Strips(l);
            workspaces[share] = w;
        }
        return w;
    }

    /** One thread's arrays: the ring of shifted strips (R input rows, kw taps each), acc, residual, a raw row. */
    static final class Strips {
        final DepthwiseConvolution.Layout layout;
        final float[][][] ring;
        final long[] ringKey;   // the input row each ring slot holds for the current strip, -1 for none
        final float[] acc;
        final float[] residual;
        final float[] raw;      // the input columns a strip reads, when it is copied pixel by pixel
        float[][] partial;      // dK_ij over a strip (kernelGradient), made on first use

        Strips(DepthwiseConvolution.Layout l) {
            Window2D g = l.g();
            int floats = padded(l.strip() * l.cm());
            layout = l;
            ring = new float[(g.kernelH() - 1) * g.dilationH() + 1][g.kernelW()][floats];
            ringKey = new long[ring.length];
            acc = new float[floats];
            residual = new float[floats];
            raw = new float[Math.min(g.width(), (l.strip() - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW() + 1)
                    * g.channels()];
        }

        /** The partial dK (kh*kw strips), zeroed. */
        void clearPartial(int taps) {
            if (partial == null) {
                partial = new float[taps][acc.length];
            }
            for (float[] p : partial) {
                Arrays.fill(p, 0f);
            }
        }

        boolean fits(DepthwiseConvolution.Layout l) {
            return layout.g().equals(l.g()) && layout.m() == l.m() && layout.strip() == l.strip();
        }

        /** S[ih, j] for every tap column j of strip [b0, b1) (from the ring, or copied into it). */
        float[][] shifted(DepthwiseConvolution.Layout l, FloatBuffer x, int n, int ih, int b0, int b1) {
            int slot = ih % ring.length;
            if (ringKey[slot] != ih) {
                copy(l, x, n, ih, b0, b1, ring[slot]);
                ringKey[slot] = ih;
            }
            return ring[slot];
        }

        /**
         * s[j][(b - b0)*CM + c*M + q] = x[n, ih, b*sw + j*dw - padLeft, c] for b in [b0, b1), zero outside the
         * image: one bulk copy per tap at stride 1 without a multiplier, else pixel by pixel from {@link #raw}.
         */
        private void copy(DepthwiseConvolution.Layout l, FloatBuffer x, int n, int ih, int b0, int b1, float[][] s) {
            Window2D g = l.g();
            int c0 = g.channels();
            int m = l.m();
            int cm = l.cm();
            int sw = g.strideW();
            int rowStart = g.inputOffset(n, ih, 0);
            boolean bulk = m == 1 && sw == 1;
            int lo = Math.max(0, b0 * sw - g.padLeft());
            if (!bulk) {
                int hi = Math.min(g.width(), (b1 - 1) * sw + (g.kernelW() - 1) * g.dilationW() - g.padLeft() + 1);
                if (lo < hi) {
                    x.get(rowStart + lo * c0, raw, 0, (hi - lo) * c0);
                }
            }
            for (int j = 0; j < s.length; j++) {
                int offset = j * g.dilationW() - g.padLeft();   // iw = b*sw + offset
                int first = Math.min(b1, Math.max(b0, ceilDiv(-offset, sw)));
                int last = Math.max(first, Math.min(b1, ceilDiv(g.width() - offset, sw)));
                float[] d = s[j];
                Arrays.fill(d, 0, (first - b0) * cm, 0f);
                Arrays.fill(d, (last - b0) * cm, (b1 - b0) * cm, 0f);
                if (bulk && last > first) {
                    x.get(rowStart + (first + offset) * c0, d, (first - b0) * cm, (last - first) * cm);
                }
                for (int b = first; !bulk && b < last; b++) {
                    int from = (b * sw + offset - lo) * c0;
                    int to = (b - b0) * cm;
                    if (m == 1) {
                        System.arraycopy(raw, from, d, to, c0);
                    } else {
                        for (int c = 0; c < c0; c++) {
                            Arrays.fill(d, to + c * m, to + (c + 1) * m, raw[from + c]);
                        }
                    }
                }
            }
        }

        /** ceil(a / b) for b &gt; 0. */
        private static int ceilDiv(int a, int b) {
            return -Math.floorDiv(-a, b);
        }
    }
}
