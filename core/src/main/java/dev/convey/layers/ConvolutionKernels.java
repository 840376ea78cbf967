package dev.convey.layers;

/**
 * A convolution layer's kernels and the one rule that picks one for a geometry (see {@link ConvolutionKernel}):
 * <pre>
 *   1x1, stride 1, no folded border                                  -> PointwiseConvolution (P is the input)
 *   3x3, stride 1, undilated, >= 16 channels and filters, >= 32 2x2 tiles -> WinogradConvolution:
 *        output map >= 112 x 112, and -Dconvey.winograd4x4=true        ->   F(4x4, 3x3)
 *        otherwise                                                   ->   F(2x2, 3x3)
 *   otherwise                                                        -> Im2colConvolution:
 *        <= 4 channels (an RGB stem), >= 24 output columns, packed GEMM ->   patch rows read in place
 *                                                                        (ImplicitPatches; -Dconvey.conv.implicitPatches)
 *        otherwise                                                   ->   im2col blocks
 *   DepthwiseConv2D, any geometry                                    -> DepthwiseConvolution (direct loops)
 * </pre>
 * The thresholds are measured (see {@link WinogradConvolution#worthIt}, {@link WinogradConvolution#worthIt4x4});
 * tests force one with {@link Conv2D.Algorithm}. F(4x4, 3x3) is opt-in: the system property
 * {@value #WINOGRAD_4X4_PROPERTY} = true turns it on (read at every call, so that one JVM can compare both:
 * {@code AbProbe}). On an idle machine it made VGG16 slower, not faster (batch 1, median 160 ms with it against
 * 144 ms without, 2026-12-02), so F(2x2, 3x3) stays the default until its transforms are cheaper.
 * Re-measured at ResNet50's 56x56x64 -> 64 after the packed GEMM (ConvAbProbe, 600 rounds, batch 1 and 8, loaded
 * host, 2026-12-02): F(4x4, 3x3) takes 1.38x (quartiles 1.20-1.55) the time of F(2x2, 3x3); im2col with implicit
 * patches 0.96-0.97x (0.87-1.06), plain im2col 1.08x; F(2x2, 3x3)'s 64 x 64 products (252 tiles each) run at
 * the packed kernel's peak on one core (200 GFLOP/s), so the rule stays as it is. Implicit patches: see
 * {@link Im2colConvolution#implicitPatches}.
 */
final class ConvolutionKernels {

    static final String WINOGRAD_4X4_PROPERTY = "convey.winograd4x4";

    private final Im2colConvolution im2col = new Im2colConvolution();
    private final PointwiseConvolution pointwise = new PointwiseConvolution();
    private final WinogradConvolution winograd = new WinogradConvolution(WinogradTransforms.F2X2, im2col);
    private final WinogradConvolution winograd4x4 = new WinogradConvolution(Winograd4x4.F4X4, im2col);
    private final DepthwiseConvolution depthwise = new DepthwiseConvolution();

    /** The kernel for geometry g with {@code filters} output channels. */
    ConvolutionKernel choose(Window2D g, int filters, Conv2D.Algorithm algorithm) {
        // 1x1, stride 1 and no folded border (the output as large as the input): each output pixel is its input pixel
        if (g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.outH() == g.height() && g.outW() == g.width()) {
            return pointwise;
        }
        if (algorithm == Conv2D.Algorithm.IM2COL || !Winograd.applies(g)) {
            return im2col;
        }
        if (algorithm == Conv2D.Algorithm.AUTO && !WinogradConvolution.worthIt(g, filters)) {
            return im2col;
        }
        boolean f4 = algorithm == Conv2D.Algorithm.WINOGRAD_4X4
                || (algorithm == Conv2D.Algorithm.AUTO && WinogradConvolution.worthIt4x4(g)
                    && "true".equals(System.getProperty(WINOGRAD_4X4_PROPERTY)));
        return f4 ? winograd4x4 : winograd;
    }

    /** For tests: caps the workspaces so that small convolutions also run in several blocks. */
    void maxWorkspaceFloats(int floats) {
        im2col.maxPatchFloats = floats;
        pointwise.maxPatchFloats = floats;
        winograd.maxWorkspaceFloats = floats;
        winograd4x4.maxWorkspaceFloats = floats;
    }

    /** The kernel of a depthwise convolution (DepthwiseConv2D) for geometry g: the rule's last line. */
    ConvolutionKernel chooseDepthwise(Window2D g) {
        return depthwise;
    }
}
