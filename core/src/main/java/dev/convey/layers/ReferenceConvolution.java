package dev.convey.layers;

import dev.convey.tensor.Tensor;

/**
 * The textbook convolution, seven nested loops in double precision: the algorithmic reference that every fast
 * convolution kernel ({@link ConvolutionKernel}) equals to float rounding, as {@code dev.convey.blas.ReferenceGemm}
 * is GEMM's. Slow; for tests and for reading.
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
}
