package dev.convey.layers;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * A 1x1, stride-1 convolution as one GEMM on the input itself; equals {@link ReferenceConvolution#conv2d}. Every
 * output pixel reads exactly its own input pixel, so the input viewed as a (pixels, in) matrix X already is the
 * patch matrix of {@link Im2colConvolution}, whose forward scheme it shares without the im2col:
 * <pre>
 *   forward:   Y (pixels x out) = X (pixels x in) W (in x out)
 *   backward:  dW = X^T dZ (summed over the threads' shares of pixels on a large map),   dX = dZ W^T
 * </pre>
 */
final class PointwiseConvolution extends Im2colConvolution {

    /**
     * dL/dW is summed over shares of the pixels, one per thread, from this many pixels per thread. Measured
     * (2 cores, idle, GFLOP/s of the product split by pixels vs split by filters): 150 vs 127 at 25088 x 64 -> 256,
     * 249 vs 218 at 6272 x 128 -> 512, 274 vs 267 at 1568 x 1024 -> 256, but 186 vs 284 at 392 x 512 -> 2048.
     */
    private static final int MIN_ROWS_PER_WEIGHT_SHARE = 512;

    @Override
    boolean inputIsPatches() {
        return true;
    }

    @Override
    public void backward(Window2D g, Tensor x, Parameter kernel, Tensor dz, boolean weightGradients, Tensor dx) {
        int m = g.outputPixels();
        int k = g.patchSize();
        int filters = kernel.value().dim(3);
        if (weightGradients && m >= Parallel.threads() * MIN_ROWS_PER_WEIGHT_SHARE && !backwardReference()) {
            // dW = sum over the threads' shares of pixels of X[s0:s1]^T dZ[s0:s1]: each product keeps all the
            // filters (a long reduction into a small dW, which a split by filters would halve)
            weightGradientByShares(kernel, m, true, (t, s0, s1, dW) -> Gemm.sgemmOnThisThread(true, false, k, filters,
                    s1 - s0, 1f, x.data(), (long) s0 * k, k, dz.data(), (long) s0 * filters, filters, 0f, dW.data(), 0,
                    filters));
        } else if (weightGradients) {
            // dW (in x out) = X^T dZ
            Gemm.sgemm(true, false, k, filters, m, 1f, x.data(), 0, k, dz.data(), 0, filters,
                    0f, kernel.gradient().data(), 0, filters);
        }
        if (dx != null) {
            // dX (pixels x in) = dZ W^T
            Gemm.sgemm(false, true, m, k, filters, 1f, dz.data(), 0, filters, kernel.value().data(), 0, filters,
                    0f, dx.data(), 0, k);
        }
    }
}
