package dev.convey.layers;

import dev.convey.tensor.Tensor;

/**
 * The textbook convolutions, nested loops in double precision: the algorithmic references that every fast
 * convolution kernel ({@link ConvolutionKernel}) equals to float rounding, as {@code dev.convey.blas.ReferenceGemm}
 * is GEMM's: {@link #conv2d} for {@link Conv2D}'s kernels, {@link #depthwise} and {@link #depthwiseBackward} for
 * {@link DepthwiseConvolution}. Slow; for tests and for reading.
 */
public final class ReferenceConvolution {

    private ReferenceConvolution() {
    }

    /**
     * y[n, oh, ow, f] = b[f] + sum_{i, j, c} x[n, ih, iw, c] * W[i, j, c, f] with ih = oh*s - padTop + i*d,
     * where, for 'same', out = ceil(in / s) and padTop = max((out - 1)*s + (k - 1)*d + 1 - in, 0) / 2 (TensorFlow);
     * pixels outside the image are zero. x is NHWC, W is HWIO, b may be null. Returns the output in NHWC order;
     * {@code outShape} (4 ints) receives its shape.
     */
    public static double[] conv2d(Tensor x, Tensor w, Tensor b, int[] s, int[] d, boolean same, int[] outShape) {
        int n = x.dim(0), h = x.dim(1), wd = x.dim(2), c = x.dim(3);
        int kh = w.dim(0), kw = w.dim(1), f = w.dim(3);
        int[] in = {h, wd};
        int[] k = {kh, kw};
        int[] out = new int[2];
        int[] pad = new int[2];
        for (int a = 0; a < 2; a++) {
            int extent = (k[a] - 1) * d[a] + 1;
            out[a] = same ? (in[a] + s[a] - 1) / s[a] : (in[a] - extent) / s[a] + 1;
            pad[a] = same ? Math.max((out[a] - 1) * s[a] + extent - in[a], 0) / 2 : 0;
        }
        double[] y = new double[n * out[0] * out[1] * f];
        for (int img = 0; img < n; img++) {
            for (int oh = 0; oh < out[0]; oh++) {
                for (int ow = 0; ow < out[1]; ow++) {
                    for (int filter = 0; filter < f; filter++) {
                        double sum = b == null ? 0 : b.get(filter);
                        for (int i = 0; i < kh; i++) {
                            for (int j = 0; j < kw; j++) {
                                int ih = oh * s[0] - pad[0] + i * d[0];
                                int iw = ow * s[1] - pad[1] + j * d[1];
                                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++) {
                                    sum += (double) x.get(img, ih, iw, ch) * w.get(i, j, ch, filter);
                                }
                            }
                        }
                        y[((img * out[0] + oh) * out[1] + ow) * f + filter] = sum;
                    }
                }
            }
        }
        outShape[0] = n;
        outShape[1] = out[0];
        outShape[2] = out[1];
        outShape[3] = f;
        return y;
    }

    /**
     * The depthwise convolution of {@link DepthwiseConv2D}: every input channel c convolved with its own M filters,
     * output channel c*M + q, nothing summed over channels. With (ih, iw) the input pixel of tap (i, j) (see
     * {@link Window2D}), pixels outside the image zero, x NHWC (geometry g), k (kh, kw, C, M), bias (C*M,) or null:
     * <pre>
     *   y[n, oh, ow, c*M + q] = b[c*M + q] + sum_{i, j} x[n, ih, iw, c] * K[i, j, c, q]
     * </pre>
     */
    static void depthwise(Window2D g, int m, float[] x, float[] k, float[] bias, float[] y) {
        int c0 = g.channels();
        for (int n = 0; n < g.batch(); n++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    for (int c = 0; c < c0; c++) {
                        for (int q = 0; q < m; q++) {
                            double sum = bias == null ? 0 : bias[c * m + q];
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int xi = depthwiseInput(g, n, oh, ow, i, j);
                                    if (xi >= 0) {
                                        sum += (double) x[xi + c] * k[((i * g.kernelW() + j) * c0 + c) * m + q];
                                    }
                                }
                            }
                            y[((n * g.outH() + oh) * g.outW() + ow) * c0 * m + c * m + q] = (float) sum;
                        }
                    }
                }
            }
        }
    }

    /**
     * The gradients of {@link #depthwise} from dz = dL/d(its output) (N, outH, outW, C*M): dx (overwritten) and
     * dk (overwritten), each the sum over every (n, oh, ow, i, j) that reads the input pixel:
     * <pre>
     *   dL/dK[i, j, c, q]   = sum_{n, oh, ow} x[n, ih, iw, c] * dz[n, oh, ow, c*M + q]
     *   dL/dx[n, ih, iw, c] = sum_{oh, ow, i, j, q reaching it} dz[n, oh, ow, c*M + q] * K[i, j, c, q]
     * </pre>
     */
    static void depthwiseBackward(Window2D g, int m, float[] x, float[] k, float[] dz, float[] dx, float[] dk) {
        int c0 = g.channels();
        double[] sumX = new double[dx.length];
        double[] sumK = new double[dk.length];
        for (int n = 0; n < g.batch(); n++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    for (int c = 0; c < c0; c++) {
                        for (int q = 0; q < m; q++) {
                            double d = dz[((n * g.outH() + oh) * g.outW() + ow) * c0 * m + c * m + q];
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int xi = depthwiseInput(g, n, oh, ow, i, j);
                                    if (xi >= 0) {
                                        int ki = ((i * g.kernelW() + j) * c0 + c) * m + q;
                                        sumK[ki] += x[xi + c] * d;
                                        sumX[xi + c] += k[ki] * d;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < dx.length; i++) {
            dx[i] = (float) sumX[i];
        }
        for (int i = 0; i < dk.length; i++) {
            dk[i] = (float) sumK[i];
        }
    }

    /** The offset in x of the pixel tap (i, j) of output (n, oh, ow) reads, or -1 in the padding. */
    private static int depthwiseInput(Window2D g, int n, int oh, int ow, int i, int j) {
        int ih = g.inputRow(oh, i);
        int iw = g.inputCol(ow, j);
        return ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width() ? g.inputOffset(n, ih, iw) : -1;
    }
}
