package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code SeparableConv2D} (Xception): a depthwise convolution, each input channel with its own
 * {@code depth_multiplier} filters, then a pointwise (1x1) convolution mixing the channels, then the bias and the
 * activation:
 * <pre>
 *   z[n, oh, ow, c*M + q] = sum_{i, j} x[n, ih, iw, c] * D[i, j, c, q]          (strides, padding, dilation here)
 *   y[n, oh, ow, f]       = act( b[f] + sum_{k} z[n, oh, ow, k] * P[0, 0, k, f] )
 * </pre>
 * with Keras' weights in Keras' order: {@code depthwise_kernel (kh, kw, C, M)}, {@code pointwise_kernel
 * (1, 1, C*M, filters)}, {@code bias (filters,)} (only after the pointwise step). Backward runs the two steps in
 * reverse: dL/dz from the pointwise step (with dL/dP, dL/db), then dL/dx and dL/dD from the depthwise one.
 *
 * <p>The two steps are a {@link DepthwiseConv2D} (linear, no bias) and a 1x1 {@link Conv2D} (the pointwise GEMM
 * kernel, with the bias and the activation in its epilogue) that this layer drives with its own weights: no
 * arithmetic of its own. In inference a following batch norm / activation folds into the pointwise step's
 * epilogue, as after a Conv2D.
 */
public final class SeparableConv2D extends BaseConv<SeparableConv2D> {

    private final int filters;
    private int depthMultiplier = 1;
    private Parameter pointwiseKernel;
    // The two steps, created with the weights (see createWeights); they own no weights of their own.
    private DepthwiseConv2D depthwise;
    private Conv2D pointwise;

    /** Keras' {@code SeparableConv2D(filters, kernel_size)} with a square kernel. */
    public SeparableConv2D(int filters, int kernelSize) {
        this(filters, new int[] {kernelSize});
    }

    /** Keras' {@code SeparableConv2D(filters, (kh, kw))}. */
    public SeparableConv2D(int filters, int[] kernelSize) {
        super("separable_conv2d", kernelSize);
        this.filters = LayerArgs.positive(this, "filters", filters);
    }

    /** Keras' {@code depth_multiplier}: depthwise outputs per input channel (default 1). */
    public SeparableConv2D depthMultiplier(int m) {
        LayerArgs.requireUnbuilt(this, "depth_multiplier");
        this.depthMultiplier = LayerArgs.positive(this, "depth_multiplier", m);
        return this;
    }

    public int depthMultiplier() {
        return depthMultiplier;
    }

    public int filters() {
        return filters;
    }

    /** The depthwise kernel (kh, kw, C, M), or null before build; {@link #kernel()} is the same weight. */
    public Parameter depthwiseKernel() {
        return kernel;
    }

    /** The pointwise kernel (1, 1, C*M, filters), or null before build. */
    public Parameter pointwiseKernel() {
        return pointwiseKernel;
    }

    /** Keras 3's {@code BaseSeparableConv.get_config()} starts with depth_multiplier and filters. */
    @Override
    void putLeadingConfig(Map<String, Object> config) {
        config.put("depth_multiplier", depthMultiplier);
        config.put("filters", filters);
    }

    // ---------------------------------------------------------------- shapes and weights

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return outputShape(inputShapes, filters);
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int channels = inputChannels(inputShapes);
        kernel = addWeight("depthwise_kernel", new int[] {kernelSize[0], kernelSize[1], channels, depthMultiplier},
                Initializer.GLOROT_UNIFORM, true);
        pointwiseKernel = addWeight("pointwise_kernel", new int[] {1, 1, channels * depthMultiplier, filters},
                Initializer.GLOROT_UNIFORM, true);
        bias = useBias ? addWeight("bias", new int[] {filters}, Initializer.ZEROS, true) : null;
        depthwise = InnerLayers.create(() -> new DepthwiseConv2D(kernelSize).depthMultiplier(depthMultiplier).strides(strides)
                .padding(padding.kerasName()).dilationRate(dilationRate).useBias(false));
        depthwise.kernel = kernel;
        pointwise = InnerLayers.create(() -> new Conv2D(filters, 1).useBias(useBias));
        pointwise.kernel = pointwiseKernel;
        pointwise.bias = bias;
    }

    // ---------------------------------------------------------------- forward and backward

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        pointwise.activation = activation;
        Tensor z = depthwise.computeForward(inputs, training);
        return pointwise.computeForward(new Tensor[] {z}, training);
    }

    /** A linear separable convolution can take the epilogue of the layers after it, in its pointwise step. */
    @Override
    public boolean canTakeEpilogue() {
        return activation == ActivationFunction.LINEAR;
    }

    @Override
    protected Tensor computeForwardWithEpilogue(Tensor x, Epilogue after) {
        pointwise.activation = activation;
        Tensor z = depthwise.computeForward(new Tensor[] {x}, false);
        return pointwise.computeForwardWithEpilogue(z, after);
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (!inputGradientNeeded[0] && !weightGradients) {
            return new Tensor[] {null};
        }
        Tensor dz = pointwise.computeBackward(outputGradient, new boolean[] {true}, weightGradients)[0];
        return depthwise.computeBackward(dz, inputGradientNeeded, weightGradients);
    }
}
