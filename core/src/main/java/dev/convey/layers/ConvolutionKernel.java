package dev.convey.layers;

import dev.convey.tensor.Tensor;

/**
 * One algorithm for a 2-D convolution over NHWC images with an HWIO kernel (see {@link Conv2D} for the formula),
 * forward and backward. {@link Conv2D} keeps the semantics (configuration, shapes, weights, the bias and the
 * activation's gradient) and hands the arithmetic to a kernel, chosen by {@link ConvolutionKernels#choose}:
 * <ul>
 *   <li>{@link PointwiseConvolution}: 1x1, stride 1, one GEMM on the input itself;
 *   <li>{@link WinogradConvolution}: 3x3, stride 1, undilated, enough channels and tiles: F(2x2, 3x3);
 *   <li>{@link Im2colConvolution}: everything else, im2col + GEMM.
 * </ul>
 * Each kernel equals {@link ReferenceConvolution#conv2d} (the naive loops) to float rounding: only the order of
 * the sums differs. A kernel instance belongs to one layer and keeps its workspaces between calls. Another kind
 * of convolution is one more implementation with its own reference: {@link DepthwiseConvolution}
 * ({@link DepthwiseConv2D}'s direct loops, equal to {@link ReferenceConvolution#depthwise}; there W is the
 * (kh, kw, C, M) depthwise kernel).
 */
interface ConvolutionKernel {

    /**
     * y = conv(x, W) followed by the epilogue e (bias, folded batch norm, residual, activation) on each block
     * while it is in cache. x is (batch, height, width, in), y (batch, outH, outW, out), as geometry g says.
     */
    void forward(Window2D g, Tensor x, Parameter kernel, Tensor y, Epilogue.Bound e);

    /**
     * From dz = dL/d(conv(x, W)) (before the bias and activation; the layer has taken care of those):
     * dL/dW into {@code kernel.gradient()} (overwritten) when {@code weightGradients}, and dL/dx into
     * {@code dx} (overwritten) unless it is null.
     */
    void backward(Window2D g, Tensor x, Parameter kernel, Tensor dz, boolean weightGradients, Tensor dx);
}
