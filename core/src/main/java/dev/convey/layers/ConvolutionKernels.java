package dev.convey.layers;

/**
 * A convolution layer's kernels and the one rule that picks one for a geometry (see {@link ConvolutionKernel}):
 * <pre>
 *   1x1, stride 1                                                    -> PointwiseConvolution (P is the input)
 *   3x3, stride 1, undilated, >= 16 channels and filters, >= 32 2x2 tiles -> WinogradConvolution
 *   otherwise                                                        -> Im2colConvolution
 *   DepthwiseConv2D, any geometry                                    -> DepthwiseConvolution (direct loops)
 * </pre>
 * The thresholds are measured (see {@link WinogradConvolution#worthIt}); tests force one with {@link Conv2D.Algorithm}.
 */
final class ConvolutionKernels {

    private final Im2colConvolution im2col = new Im2colConvolution();
    private final PointwiseConvolution pointwise = new PointwiseConvolution();
    private final WinogradConvolution winograd = new WinogradConvolution(im2col);
    private final DepthwiseConvolution depthwise = new DepthwiseConvolution();

    /** The kernel for geometry g with {@code filters} output channels. */
    ConvolutionKernel choose(Window2D g, int filters, Conv2D.Algorithm algorithm) {
        if (g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1) {
            return pointwise;
        }
        boolean winogradApplies = algorithm != Conv2D.Algorithm.IM2COL && Winograd.applies(g)
                && (algorithm == Conv2D.Algorithm.WINOGRAD || WinogradConvolution.worthIt(g, filters));
        return winogradApplies ? winograd : im2col;
    }

    /** For tests: caps the workspaces so that small convolutions also run in several blocks. */
    void maxWorkspaceFloats(int floats) {
        im2col.maxPatchFloats = floats;
        pointwise.maxPatchFloats = floats;
        winograd.maxWorkspaceFloats = floats;
    }

    /** The kernel of a depthwise convolution (DepthwiseConv2D) for geometry g: the rule's last line. */
    ConvolutionKernel chooseDepthwise(Window2D g) {
        return depthwise;
    }
}
