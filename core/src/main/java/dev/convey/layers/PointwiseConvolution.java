package dev.convey.layers;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.Tensor;

/**
 * A 1x1, stride-1 convolution as one GEMM on the input itself; equals {@link ReferenceConvolution#conv2d}. Every
 * output pixel reads exactly its own input pixel, so the input viewed as a (pixels, in) matrix X already is the
 * patch matrix of {@link Im2colConvolution}, whose forward scheme it shares without the im2col:
 * <pre>
 *   forward:   Y (pixels x out) = X (pixels x in) W (in x out)
 *   backward:  dW = X^T dZ,   dX = dZ W^T
 * </pre>
 */
final class PointwiseConvolution extends Im2colConvolution {

    @Override
    boolean inputIsPatches() {
        return true;
    }

    @Override
    public void backward(Window2D g, Tensor x, Parameter kernel, Tensor dz, boolean weightGradients, Tensor dx) {
        int m = g.outputPixels();
        int k = g.patchSize();
        int filters = kernel.value().dim(3);
        if (weightGradients) {
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
