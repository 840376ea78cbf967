package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Conv2D}: a 2-D convolution over NHWC images (channels_last), with an HWIO kernel
 * {@code (kh, kw, in, out)}, a bias {@code (out,)} and an optional fused activation:
 * <pre>
 *   z[n, oh, ow, f] = b[f] + sum_{i, j, c} x[n, oh*sh - padTop + i*dh, ow*sw - padLeft + j*dw, c] * W[i, j, c, f]
 *   y = act(z)
 * </pre>
 * (as in every deep learning library this is a cross-correlation: the kernel is not flipped). Backward:
 * <pre>
 *   dZ = act'(dY)   dL/db = sum over pixels of dZ   dL/dW, dL/dx: the convolution kernel's backward
 * </pre>
 * This file is the layer's two passes; the configuration, shapes and weights are {@link BaseConv}'s. The arithmetic
 * is a {@link ConvolutionKernel} (im2col + GEMM, 1x1 as one GEMM, Winograd F(2x2, 3x3) or F(4x4, 3x3)) picked by
 * {@link ConvolutionKernels#choose}; each equals {@link ReferenceConvolution}. In inference the planner may
 * fold the following batch norm, residual Add and activation into the kernel's epilogue
 * ({@link #forwardWithEpilogue}), a zero padding before it into its window ({@link InputPaddingFold}), and a
 * squeeze-and-excitation scale of its input into its kernel ({@link InputScaleFold}).
 */
public final class Conv2D extends BaseConv<Conv2D> implements InputPaddingFold, InputScaleFold {

    /**
     * How the forward pass computes a convolution; AUTO follows {@link ConvolutionKernels}' rule (tests force one):
     * WINOGRAD is F(2x2, 3x3), WINOGRAD_4X4 F(4x4, 3x3).
     */
    enum Algorithm { AUTO, IM2COL, WINOGRAD, WINOGRAD_4X4 }

    private final int filters;
    private Algorithm algorithm = Algorithm.AUTO;
    private final ConvolutionKernels kernels = new ConvolutionKernels();
    // The last forward pass, for backward; and the buffers the layer reuses.
    private Tensor input;
    private Window2D geometry;
    private Tensor fusedOutput;
    private Tensor inputGradient;
    // The bias (and a folded batch norm's scale and shift) repeated for the epilogue: plain pass, fused pass.
    private final Epilogue.Channels[] epilogueChannels = {Epilogue.Channels.NONE, Epilogue.Channels.NONE};
    // A folded per-image scale of the input channels (null: none), and the kernel that applies it.
    private float[] inputScale;
    private final InputScaledConvolution scaledConvolution = new InputScaledConvolution(this);

    /** Keras' {@code Conv2D(filters, kernel_size)} with a square kernel. */
    public Conv2D(int filters, int kernelSize) {
        this(filters, new int[] {kernelSize});
    }

    /** Keras' {@code Conv2D(filters, (kh, kw))}. */
    public Conv2D(int filters, int[] kernelSize) {
        super("conv2d", kernelSize);
        this.filters = LayerArgs.positive(this, "filters", filters);
    }

    public int filters() {
        return filters;
    }

    /** Keras' {@code get_config()} starts with filters, then {@link BaseConv}'s keys. */
    @Override
    void putLeadingConfig(Map<String, Object> config) {
        config.put("filters", filters);
    }

    /**
     * {@link BaseConv#getConfig()} with Keras' {@code groups} after {@code dilation_rate}, where Keras puts it (1:
     * Convey has no grouped convolution).
     */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new java.util.LinkedHashMap<>();
        super.getConfig().forEach((key, value) -> {
            c.put(key, value);
            if (key.equals("dilation_rate")) {
                c.put("groups", 1);
            }
        });
        return c;
    }

    // ---------------------------------------------------------------- shapes and weights

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return outputShape(inputShapes, filters);
    }

    /** An HWIO kernel (kh, kw, in, filters) and a bias (filters,). */
    @Override
    protected void createWeights(int[][] inputShapes) {
        int channels = inputChannels(inputShapes);
        kernel = addWeight("kernel", new int[] {kernelSize[0], kernelSize[1], channels, filters},
                Initializer.GLOROT_UNIFORM, true);
        bias = useBias ? addWeight("bias", new int[] {filters}, Initializer.ZEROS, true) : null;
    }

    /** For tests: caps the patch workspace so that small convolutions also run in several row blocks. */
    void maxPatchFloats(int floats) {
        kernels.maxWorkspaceFloats(floats);
    }

    /** For tests and measurements: forces im2col or Winograd (where it applies) instead of the automatic choice. */
    void algorithm(Algorithm algorithm) {
        this.algorithm = algorithm;
    }

    // ---------------------------------------------------------------- forward

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        Window2D g = geometry(x);
        input = x;
        Tensor z = outputBuffers(g.batch(), g.outH(), g.outW(), filters);
        // z = conv(x, W) + b and y = act(z), in the kernel's epilogue (unless z must be kept)
        Epilogue.Channels b = epilogueChannels(0, null);
        convolve(g, x, z, new Epilogue.Bound(b, null, epilogueActivation()));
        activateKept();
        if (inputScale != null) {
            input = null;   // x arrived unscaled: nothing for backward
        }
        return output;
    }

    /**
     * Inference of this convolution followed by the epilogue {@code after} (a folded batch norm's scale and
     * shift, a residual, an activation), in one pass: y = after(conv(x) + b). The result equals running the
     * layers in turn (same float operations), without their passes over the feature map. It lands in a buffer
     * of its own and leaves nothing for backward: a backward pass needs a plain forward pass first.
     */
    @Override
    protected Tensor computeForwardWithEpilogue(Tensor x, Epilogue after) {
        Window2D g = geometry(x);
        fusedOutput = Tensor.reuse(fusedOutput, g.batch(), g.outH(), g.outW(), filters);
        float[][] scaleShift = checkEpilogue(after, filters, fusedOutput.shape());
        input = null;   // nothing for backward
        output = null;
        convolve(g, x, fusedOutput, after.bind(epilogueChannels(1, scaleShift)));
        return fusedOutput;
    }

    /** y = conv(x, W) then the epilogue e, by the kernel for g; with a folded input scale, conv(x * s, W). */
    private void convolve(Window2D g, Tensor x, Tensor y, Epilogue.Bound e) {
        if (inputScale == null) {
            kernel(g).forward(g, x, kernel, y, e);
        } else {
            scaledConvolution.forward(kernels, algorithm, g, x, kernel, inputScale, y, e);
        }
    }

    /**
     * The fold pays where the input map has more pixels than the kernel has taps x filters: scaling W_n then
     * costs less than scaling x_n (see {@link InputScaleFold}).
     */
    @Override
    public boolean foldsInputScale() {
        int[][] s = inputShapes();
        return s != null && s.length == 1 && s[0].length == 3
                && (long) s[0][0] * s[0][1] >= 2L * kernelSize[0] * kernelSize[1] * filters;
    }

    @Override
    public void foldInputScale(float[] scale) {
        inputScale = scale;
    }

    private Window2D geometry(Tensor x) {
        geometry = window(x.shape());
        return geometry;
    }

    private ConvolutionKernel kernel(Window2D g) {
        return kernels.choose(g, filters, algorithm);
    }

    /** The bias and {scale, shift} repeated for the epilogue, kept (per kind of pass) until either changes. */
    private Epilogue.Channels epilogueChannels(int kind, float[][] scaleShift) {
        float[] b = useBias ? bias.valueArray() : null;
        epilogueChannels[kind] = epilogueChannels[kind].reuseFor(b, scaleShift, filters);
        return epilogueChannels[kind];
    }

    // ---------------------------------------------------------------- backward

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (output == null || input == null) {
            throw new IllegalStateException(describe() + ": backward needs a plain forward pass (the last one was "
                    + (geometry == null ? "missing" : "fused, or read a folded input scale") + ")");
        }
        requireSameShape("output gradient", outputGradient, output);
        Tensor dz = preActivationGradient(outputGradient);
        Tensor dx = inputGradientNeeded[0] ? inputGradient = Tensor.reuse(inputGradient, input.shape()) : null;
        if (weightGradients && useBias) {
            Epilogue.biasGradient(dz.data(), geometry.outputPixels(), filters, bias.gradient());
        }
        kernel(geometry).backward(geometry, input, kernel, dz, weightGradients, dx);
        return new Tensor[] {dx};
    }
}
