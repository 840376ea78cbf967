package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code DepthwiseConv2D}: each input channel convolved with its own {@code depth_multiplier} filters (no
 * sum over channels), the first half of a separable convolution (MobileNet, Xception, EfficientNet):
 * <pre>
 *   z[n, oh, ow, c*M + q] = b[c*M + q] + sum_{i, j} x[n, ih, iw, c] * K[i, j, c, q]
 *   (ih, iw) = (oh*sh - padTop + i*dh, ow*sw - padLeft + j*dw)
 *   y = act(z)
 * </pre>
 * with the kernel {@code depthwise_kernel (kh, kw, C, M)} and {@code bias (C*M,)} in Keras' shapes and order, and
 * the strides, {@code same}/{@code valid} padding and dilation of {@link Conv2D} (TensorFlow's rule, see
 * {@link Padding}). Backward:
 * <pre>
 *   dZ = act'(dY)   dL/db = sum over pixels of dZ   dL/dK, dL/dx: the kernel's backward
 * </pre>
 * This file is the layer's two passes; the configuration, shapes and weights are {@link BaseConv}'s and its own. The
 * arithmetic is {@link DepthwiseConvolution} (direct loops, not a GEMM), picked by {@link ConvolutionKernels}' rule;
 * it equals {@link ReferenceConvolution#depthwise}.
 */
public final class DepthwiseConv2D extends BaseConv<DepthwiseConv2D> implements InputPaddingFold {

    private int depthMultiplier = 1;
    private final ConvolutionKernels kernels = new ConvolutionKernels();
    // The last forward pass, for backward; and the buffers the layer reuses.
    private Tensor input;
    private Window2D geometry;
    private Tensor inputGradient;
    private Epilogue.Channels biasChannels = Epilogue.Channels.NONE;   // the bias repeated for the epilogue
    private Epilogue.Channels fusedChannels = Epilogue.Channels.NONE;  // the bias and a folded batch norm's {s, t}
    private Tensor fusedOutput;

    /** Keras' {@code DepthwiseConv2D(kernel_size)} with a square kernel. */
    public DepthwiseConv2D(int kernelSize) {
        this(new int[] {kernelSize});
    }

    /** Keras' {@code DepthwiseConv2D((kh, kw))}. */
    public DepthwiseConv2D(int[] kernelSize) {
        super("depthwise_conv2d", kernelSize);
    }

    // ---------------------------------------------------------------- configuration

    /** Keras' {@code depth_multiplier}: output channels per input channel (default 1). */
    public DepthwiseConv2D depthMultiplier(int m) {
        LayerArgs.requireUnbuilt(this, "depth_multiplier");
        this.depthMultiplier = LayerArgs.positive(this, "depth_multiplier", m);
        return this;
    }

    public int depthMultiplier() {
        return depthMultiplier;
    }

    /** Keras 3's {@code DepthwiseConv2D.get_config()}: {@link BaseConv}'s keys, then depth_multiplier. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("depth_multiplier", depthMultiplier);
        return c;
    }

    // ---------------------------------------------------------------- shapes and weights

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] hw = Window2D.outputHeightWidth(this, inputShapes, kernelSize, strides, dilationRate, padding);
        int channels = inputShapes[0][2];
        if (channels < 1) {
            throw shapeError("the channel axis must be known, got input shape " + shapesToString(inputShapes, true));
        }
        return new int[] {hw[0], hw[1], channels * depthMultiplier};
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int channels = inputShapes[0][2];
        kernel = addWeight("depthwise_kernel", new int[] {kernelSize[0], kernelSize[1], channels, depthMultiplier},
                Initializer.GLOROT_UNIFORM, true);
        if (useBias) {
            bias = addWeight("bias", new int[] {channels * depthMultiplier}, Initializer.ZEROS, true);
        }
    }

    // ---------------------------------------------------------------- forward

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        Window2D g = window(x.shape());
        int channels = g.channels() * depthMultiplier;
        input = x;
        geometry = g;
        Tensor z = outputBuffers(g.batch(), g.outH(), g.outW(), channels);
        // z = depthwise(x, K) + b and y = act(z), in the kernel's epilogue (unless z must be kept)
        biasChannels = biasChannels.reuseFor(useBias ? bias.valueArray() : null, null, channels);
        kernels.chooseDepthwise(g).forward(g, x, kernel, z, new Epilogue.Bound(biasChannels, null, epilogueActivation()));
        activateKept();
        return output;
    }

    /**
     * Inference followed by the epilogue {@code after} (a folded batch norm, a residual, an activation; MobileNet's
     * dw -> bn -> relu6, EfficientNet's dw -> bn -> swish) in the kernel's pass, as
     * {@link Conv2D#computeForwardWithEpilogue}: the same numbers as the layers one by one, into a buffer of its
     * own, nothing kept for backward.
     */
    @Override
    protected Tensor computeForwardWithEpilogue(Tensor x, Epilogue after) {
        Window2D g = window(x.shape());
        int channels = g.channels() * depthMultiplier;
        fusedOutput = Tensor.reuse(fusedOutput, g.batch(), g.outH(), g.outW(), channels);
        float[][] scaleShift = checkEpilogue(after, channels, fusedOutput.shape());
        input = null;   // nothing for backward
        output = null;
        geometry = g;
        fusedChannels = fusedChannels.reuseFor(useBias ? bias.valueArray() : null, scaleShift, channels);
        kernels.chooseDepthwise(g).forward(g, x, kernel, fusedOutput, after.bind(fusedChannels));
        return fusedOutput;
    }

    // ---------------------------------------------------------------- backward

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (output == null) {
            throw new IllegalStateException(describe() + ": backward needs a plain forward pass (the last one was "
                    + (geometry == null ? "missing" : "forwardWithEpilogue") + ")");
        }
        requireSameShape("output gradient", outputGradient, output);
        Tensor dz = preActivationGradient(outputGradient);
        Tensor dx = inputGradientNeeded[0] ? inputGradient = Tensor.reuse(inputGradient, input.shape()) : null;
        if (weightGradients && useBias) {
            Epilogue.biasGradient(dz.data(), geometry.outputPixels(), output.dim(3), bias.gradient());
        }
        kernels.chooseDepthwise(geometry).backward(geometry, input, kernel, dz, weightGradients, dx);
        return new Tensor[] {dx};
    }
}
