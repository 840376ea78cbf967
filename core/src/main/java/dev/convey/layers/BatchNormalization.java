package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code BatchNormalization} over one axis (the last, the channels, by default; any other with
 * {@link #axis}: then the values are moved so that axis is last, normalised as below, and moved back). With c the
 * index of element j along that axis:
 * <pre>
 *   y_j = gamma_c * (x_j - mu_c) / sqrt(var_c + eps) + beta_c
 * </pre>
 * In inference mu and var are the moving statistics learned in training. In training (forward with
 * {@code training=true} on a layer that was trainable at compile time) they are the mean and the biased variance
 * of the batch, over all rows (every axis but the channel: batch, height, width), and the moving statistics move
 * towards them: {@code moving = moving - (moving - batch) * (1 - momentum)}. A frozen layer always runs in
 * inference mode (Keras 2.x since TF 2.0: "setting trainable = False on a BatchNormalization layer makes it run in
 * inference mode"), which is what fine-tuning a pretrained base needs.
 *
 * <p>Which variance enters moving_variance. tf.keras (TensorFlow 2.x, {@code BatchNormalizationBase}) uses
 * TensorFlow's fused kernel for 4-D inputs; that kernel returns the batch variance with Bessel's correction,
 * var * n/(n-1) ({@code rest_size_adjust} in tensorflow/core/kernels/fused_batch_norm_op.cc), and Keras moves
 * moving_variance towards it. For other ranks (BN after a Dense layer) tf.keras takes the non-fused path,
 * {@code nn.moments}, whose variance is biased, and moves towards that. Both are reproduced here. (Standalone
 * Keras 2.1.3-2.3, keras/layers/normalization.py, used var * n/(n - (1 + eps)): the same within eps/n.) The
 * normalisation itself always uses the biased batch variance.
 *
 * <p>Weights in Keras order: gamma (if {@code scale}), beta (if {@code center}), moving_mean, moving_variance;
 * the last two are non-trainable.
 */
public final class BatchNormalization extends Layer implements TakesActivation {

    private int axis = -1;
    private float epsilon = 1e-3f;
    private float momentum = 0.99f;
    private boolean center = true;
    private boolean scale = true;

    private Parameter gamma;
    private Parameter beta;
    private Parameter movingMean;
    private Parameter movingVariance;
    private float[][] inferenceScaleShift;
    private long inferenceScaleShiftVersion;

    // What backward needs from the last forward pass.
    private Tensor input;
    private boolean usedBatchStatistics;
    private float[] mean;
    private float[] inverseStd;
    private Tensor output;
    private Tensor inputGradient;
    private ActivationFunction activation;   // the relu the last forward pass applied (takeActivation), or null
    private ActivationFunction nextActivation;
    private float[][] forwardScaleShift;   // {s, t} of the last forward pass, y = x * s + t

    public BatchNormalization() {
        super("batch_normalization");
    }

    // ---------------------------------------------------------------- configuration (before build)

    /**
     * Keras' {@code axis}, counted with the batch axis 0: -1 (the last, the default), or any other non-batch axis
     * (1 for channels-first data); negative counts from the end.
     */
    public BatchNormalization axis(int axis) {
        requireUnbuilt("axis");
        if (axis == 0) {
            throw new IllegalArgumentException(describe() + ": axis 0 is the batch axis; normalise another axis");
        }
        this.axis = axis;
        return this;
    }

    /** The axis as given (Keras' {@code axis}). */
    public int axis() {
        return axis;
    }

    // The 0-based per-sample index of the normalised axis for inputs of per-sample rank r.
    private int sampleAxis(int r) {
        int a = axis < 0 ? axis + r + 1 : axis;
        return a - 1;
    }

    private boolean onLastAxis() {
        int[][] built = inputShapes();
        return built == null || sampleAxis(built[0].length) == built[0].length - 1;
    }

    /** Keras' {@code epsilon} (default 1e-3; Keras' ResNet50 uses 1.001e-5). */
    public BatchNormalization epsilon(double epsilon) {
        requireUnbuilt("epsilon");
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException(describe() + ": epsilon must be positive, got " + epsilon);
        }
        this.epsilon = (float) epsilon;
        return this;
    }

    /** Keras' {@code momentum} of the moving statistics (default 0.99). */
    public BatchNormalization momentum(double momentum) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(describe() + ": momentum must be in [0, 1], got " + momentum);
        }
        this.momentum = (float) momentum;
        return this;
    }

    /** Keras' {@code center}: whether there is a beta (offset). */
    public BatchNormalization center(boolean center) {
        requireUnbuilt("center");
        this.center = center;
        return this;
    }

    /** Keras' {@code scale}: whether there is a gamma (scale). */
    public BatchNormalization scale(boolean scale) {
        requireUnbuilt("scale");
        this.scale = scale;
        return this;
    }

    private void requireUnbuilt(String what) {
        if (isBuilt()) {
            throw new IllegalStateException(describe() + ": " + what + " must be set before the layer is built");
        }
    }

    public float epsilon() {
        return epsilon;
    }

    public float momentum() {
        return momentum;
    }

    /** gamma, or null when {@code scale} is false (gamma = 1). */
    public Parameter gamma() {
        return gamma;
    }

    /** beta, or null when {@code center} is false (beta = 0). */
    public Parameter beta() {
        return beta;
    }

    public Parameter movingMean() {
        return movingMean;
    }

    public Parameter movingVariance() {
        return movingVariance;
    }

    /** Keras' {@code get_config()}: axis, momentum, epsilon, center, scale. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", axis);
        c.put("momentum", momentum());
        c.put("epsilon", epsilon());
        c.put("center", beta() != null);
        c.put("scale", gamma() != null);
        return c;
    }

    /**
     * In inference a batch norm is a per-channel scale and shift: it folds into a convolution's epilogue (on the
     * channel axis only).
     */
    @Override
    public Epilogue.Step epilogueStep() {
        return onLastAxis() ? Epilogue.Step.SCALE_SHIFT : null;
    }

    @Override
    public Epilogue appendToEpilogue(Epilogue e, Tensor residual) {
        return e.thenScaleShift(inferenceScaleShift());
    }

    /** In training it can write relu(y) and take relu's derivative (BatchNormKernels), on the channel axis. */
    @Override
    public boolean canTakeActivation(ActivationFunction f) {
        return f == ActivationFunction.RELU && onLastAxis();
    }

    /** The next forward pass writes relu(batch norm(x)); the backward after it takes dL/d(that). */
    @Override
    public void takeActivation(ActivationFunction f) {
        if (!canTakeActivation(f)) {
            throw new UnsupportedOperationException(describe() + " cannot take the activation " + f);
        }
        nextActivation = f;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "");
        if (s.length < 1) {
            throw shapeError("expects inputs with a channel axis, got shape " + Shapes.toString(Shapes.withBatch(-1, s)));
        }
        int a = sampleAxis(s.length);
        if (a < 0 || a >= s.length) {
            throw shapeError("axis " + axis + " is not a non-batch axis of input shape "
                    + Shapes.toString(Shapes.withBatch(-1, s)));
        }
        if (s[a] == Shapes.UNKNOWN) {
            throw shapeError("the normalised axis " + axis + " must be known, got input shape "
                    + Shapes.toString(Shapes.withBatch(-1, s)));
        }
        return s.clone();
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int[] channels = {inputShapes[0][sampleAxis(inputShapes[0].length)]};
        gamma = scale ? addWeight("gamma", channels, Initializer.ONES, true) : null;
        beta = center ? addWeight("beta", channels, Initializer.ZEROS, true) : null;
        movingMean = addWeight("moving_mean", channels, Initializer.ZEROS, false);
        movingVariance = addWeight("moving_variance", channels, Initializer.ONES, false);
    }

    // ---------------------------------------------------------------- forward; another axis: moved last, then back

    private int[] movedPermutation;   // for the last forward pass on another axis than the last, else null
    private Tensor movedOutput;
    private Tensor movedGradient;
    private int[] movedShape;

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        activation = nextActivation;
        nextActivation = null;
        int a = sampleAxis(x.rank() - 1) + 1;
        if (a == x.rank() - 1) {
            movedPermutation = null;
            return forwardOnLastAxis(x, training, x.rank() == 4);
        }
        movedPermutation = AxisPermutation.of(x.shape(), a, true);
        movedShape = x.shape();
        int[] shape = new int[x.rank()];
        for (int i = 0, o = 0; i < x.rank(); i++) {
            if (i != a) {
                shape[o++] = x.dim(i);
            }
        }
        shape[x.rank() - 1] = x.dim(a);
        Tensor moved = Tensor.of(AxisPermutation.gather(x.toArray(), movedPermutation), shape);
        // tf.keras' fused kernel also serves channels-first 4-D data (axis 1); other axes take the biased path
        Tensor y = forwardOnLastAxis(moved, training, x.rank() == 4 && a == 1);
        movedOutput = Tensor.reuse(movedOutput, movedShape);
        movedOutput.data().put(0, AxisPermutation.scatter(y.toArray(), movedPermutation));
        return movedOutput;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (movedPermutation == null) {
            return backwardOnLastAxis(outputGradient, inputGradientNeeded, weightGradients);
        }
        requireSameShape("output gradient", outputGradient, movedOutput);
        Tensor moved = Tensor.of(AxisPermutation.gather(outputGradient.toArray(), movedPermutation), output.shape());
        Tensor[] d = backwardOnLastAxis(moved, inputGradientNeeded, weightGradients);
        if (d[0] == null) {
            return d;
        }
        movedGradient = Tensor.reuse(movedGradient, movedShape);
        movedGradient.data().put(0, AxisPermutation.scatter(d[0].toArray(), movedPermutation));
        return new Tensor[] {movedGradient};
    }

    private Tensor forwardOnLastAxis(Tensor x, boolean training, boolean fusedKernel) {
        int channels = x.dim(-1);
        int rows = x.size() / channels;
        input = x;
        usedBatchStatistics = training && isTrainableWhenCompiled();
        if (usedBatchStatistics) {
            double[][] moments = BatchNormKernels.channelMoments(x, rows, channels);
            double[] batchMean = moments[0];
            double[] batchVariance = moments[1];
            mean = BatchStatistics.toFloat(batchMean);
            inverseStd = BatchStatistics.inverseStd(BatchStatistics.toFloat(batchVariance), epsilon);
            // tf.keras' fused kernel (4-D inputs) reports var * n/(n-1); the non-fused path the biased var.
            double correction = fusedKernel && rows > 1 ? (double) rows / (rows - 1) : 1.0;
            BatchStatistics.updateMovingAverage(movingMean.value(), batchMean, 1.0, momentum);
            BatchStatistics.updateMovingAverage(movingVariance.value(), batchVariance, correction, momentum);
            movingMean.changed();
            movingVariance.changed();
        } else {
            mean = movingMean.value().toArray();
            inverseStd = BatchStatistics.inverseStd(movingVariance.value().toArray(), epsilon);
        }
        float[][] st = scaleShift(mean, inverseStd);
        forwardScaleShift = st;
        output = Tensor.reuse(output, x.shape());
        if (activation == null) {
            BatchStatistics.scaleAndShift(x, st[0], st[1], output);
        } else {
            BatchNormKernels.scaleShiftRelu(x, st[0], st[1], output);   // = scaleAndShift, then relu's forward
        }
        return output;
    }

    /**
     * The inference-mode transform as a per-channel {scale s, shift t}, y = x * s + t, computed from the moving
     * statistics exactly as an inference forward pass computes them. A model folds it into the epilogue of the
     * convolution before this layer (see Epilogue and Conv2D#forwardWithEpilogue) so that inference skips a pass over the feature map.
     * The arrays are kept until a weight changes and shared with every caller: read them, never write them.
     */
    public float[][] inferenceScaleShift() {
        if (!isBuilt()) {
            throw new IllegalStateException(describe() + " is not built yet: its statistics do not exist");
        }
        // kept until a weight changes: a fused inference pass asks for it once per image or batch
        long version = (gamma == null ? 0 : gamma.version()) + (beta == null ? 0 : beta.version())
                + movingMean.version() + movingVariance.version();   // versions only grow: a change changes the sum
        if (inferenceScaleShift == null || version != inferenceScaleShiftVersion) {
            inferenceScaleShift = scaleShift(movingMean.value().toArray(),
                    BatchStatistics.inverseStd(movingVariance.value().toArray(), epsilon));
            inferenceScaleShiftVersion = version;
        }
        return inferenceScaleShift;
    }

    /** s_c = gamma_c / sqrt(var_c + eps) and t_c = beta_c - mu_c * s_c, so that y = x * s_c + t_c. */
    private float[][] scaleShift(float[] mu, float[] istd) {
        float[] s = new float[mu.length];
        float[] t = new float[mu.length];
        for (int c = 0; c < mu.length; c++) {
            s[c] = gammaAt(c) * istd[c];
            t[c] = betaAt(c) - mu[c] * s[c];
        }
        return new float[][] {s, t};
    }

    // ---------------------------------------------------------------- backward

    /**
     * With xhat = (x - mu) * istd and n rows:
     * <pre>
     *   dL/dbeta_c  = sum_r dy[r, c]
     *   dL/dgamma_c = sum_r dy[r, c] * xhat[r, c]
     *   inference (mu, istd constants): dx = dy * gamma * istd
     *   training  (mu, istd depend on x): dx = gamma * istd / n * (n * dy - dL/dbeta - xhat * dL/dgamma)
     * </pre>
     * The training formula is the derivative through mu and var as well (Ioffe and Szegedy 2015, section 3).
     * After a forward pass with a fused relu, dy above is dL/d(relu output) * [output > 0]: inside the fast
     * kernels (BatchNormKernels), else by relu's own backward first.
     */
    private Tensor[] backwardOnLastAxis(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        int channels = mean.length;
        int rows = outputGradient.size() / channels;
        boolean inKernels = activation != null && usedBatchStatistics && BatchNormKernels.fast(channels);
        float[][] relu = inKernels ? forwardScaleShift : null;
        Tensor dy = activation == null || inKernels ? outputGradient : (inputGradient = Tensor.reuse(inputGradient,
                outputGradient.shape()));
        if (dy != outputGradient) {
            activation.backward(null, output, outputGradient, dy);   // relu's own backward first
        }
        boolean needSums = weightGradients || (inputGradientNeeded[0] && usedBatchStatistics);
        double[][] sums = needSums ? BatchNormKernels.gradientSums(dy, input, mean, inverseStd, rows, channels, relu) : null;
        if (weightGradients) {
            if (gamma != null) {
                BatchStatistics.writeGradient(gamma.gradient(), sums[1]);
            }
            if (beta != null) {
                BatchStatistics.writeGradient(beta.gradient(), sums[0]);
            }
        }
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, outputGradient.shape());   // may hold dy (then dx replaces it)
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            s[c] = gammaAt(c) * inverseStd[c];
        }
        if (usedBatchStatistics) {
            BatchNormKernels.inputGradient(dy, input, mean, inverseStd, s, sums, rows, inputGradient, relu);
        } else {
            BatchStatistics.scaleAndShift(dy, s, new float[channels], inputGradient);
        }
        return new Tensor[] {inputGradient};
    }

    private float gammaAt(int c) {
        return gamma == null ? 1f : gamma.value().data().get(c);
    }

    private float betaAt(int c) {
        return beta == null ? 0f : beta.value().data().get(c);
    }
}
