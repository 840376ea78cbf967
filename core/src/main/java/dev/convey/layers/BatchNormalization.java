package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Scratch;

/**
 * Keras' {@code BatchNormalization} over the last (channel) axis. With c the channel of element j:
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
public final class BatchNormalization extends Layer {

    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

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

    public BatchNormalization() {
        super("batch_normalization");
    }

    // ---------------------------------------------------------------- configuration (before build)

    /** Keras' {@code axis}: only the channel axis, -1 (or its positive index), is supported. */
    public BatchNormalization axis(int axis) {
        requireUnbuilt("axis");
        this.axis = axis;
        return this;
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

    // ---------------------------------------------------------------- getters (also for folding BN into a conv)

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

    // ---------------------------------------------------------------- shapes and weights

    /** Keras' {@code get_config()}: axis, momentum, epsilon, center, scale. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", -1);
        c.put("momentum", momentum());
        c.put("epsilon", epsilon());
        c.put("center", beta() != null);
        c.put("scale", gamma() != null);
        return c;
    }

    /** In inference a batch norm is a per-channel scale and shift: it folds into a convolution's epilogue. */
    @Override
    public Epilogue.Step epilogueStep() {
        return Epilogue.Step.SCALE_SHIFT;
    }

    @Override
    public Epilogue appendToEpilogue(Epilogue e, Tensor residual) {
        return e.thenScaleShift(inferenceScaleShift());
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "");
        if (s.length < 1) {
            throw shapeError("expects inputs with a channel axis, got shape " + Shapes.toString(Shapes.withBatch(-1, s)));
        }
        if (axis != -1 && axis != s.length) {
            throw shapeError("only the last (channel) axis is supported, got axis " + axis + " for input shape "
                    + Shapes.toString(Shapes.withBatch(-1, s)));
        }
        if (s[s.length - 1] == Shapes.UNKNOWN) {
            throw shapeError("the channel axis must be known, got input shape " + Shapes.toString(Shapes.withBatch(-1, s)));
        }
        return s.clone();
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int[] channels = {inputShapes[0][inputShapes[0].length - 1]};
        gamma = scale ? addWeight("gamma", channels, Initializer.ONES, true) : null;
        beta = center ? addWeight("beta", channels, Initializer.ZEROS, true) : null;
        movingMean = addWeight("moving_mean", channels, Initializer.ZEROS, false);
        movingVariance = addWeight("moving_variance", channels, Initializer.ONES, false);
    }

    // ---------------------------------------------------------------- forward

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        int channels = x.dim(-1);
        int rows = x.size() / channels;
        input = x;
        usedBatchStatistics = training && isTrainableWhenCompiled();
        if (usedBatchStatistics) {
            double[][] moments = channelMoments(x, rows, channels);
            double[] batchMean = moments[0];
            double[] batchVariance = moments[1];
            mean = toFloat(batchMean);
            inverseStd = inverseStd(toFloat(batchVariance), epsilon);
            // tf.keras' fused kernel (4-D inputs) reports var * n/(n-1); the non-fused path the biased var.
            double correction = x.rank() == 4 && rows > 1 ? (double) rows / (rows - 1) : 1.0;
            updateMovingAverage(movingMean.value(), batchMean, 1.0, momentum);
            updateMovingAverage(movingVariance.value(), batchVariance, correction, momentum);
            movingMean.changed();
            movingVariance.changed();
        } else {
            mean = movingMean.value().toArray();
            inverseStd = inverseStd(movingVariance.value().toArray(), epsilon);
        }
        float[][] st = scaleShift(mean, inverseStd);
        output = Tensor.reuse(output, x.shape());
        scaleAndShift(x, st[0], st[1], output);
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
                    inverseStd(movingVariance.value().toArray(), epsilon));
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

    /**
     * The batch mean mu_c and biased variance var_c of each channel in one pass over x (the loop is
     * memory-bound: a second pass would cost a third more). With a per-channel shift k_c (the first row) and
     * d = x - k_c, summed in double:
     * <pre>
     *   mu_c  = k_c + (1/n) sum_r d
     *   var_c = (1/n) sum_r d^2 - ((1/n) sum_r d)^2
     * </pre>
     * The shift keeps the two sums of the size of the spread of x rather than of its mean, so the subtraction
     * does not cancel (the "shifted data" variance algorithm).
     */
    private static double[][] channelMoments(Tensor x, int rows, int channels) {
        float[] shift = new float[channels];
        x.data().get(0, shift);
        double[] sums = sumOverRows(rows, channels, 2 * channels, (r0, r1, acc) -> {
            int tileRows = Scratch.rowsPerTile(channels);
            float[] xs = Scratch.floats(0, tileRows * channels);
            for (int r = r0; r < r1; r += tileRows) {
                int length = Math.min(tileRows, r1 - r) * channels;
                x.data().get(r * channels, xs, 0, length);
                for (int base = 0; base < length; base += channels) {
                    for (int c = 0; c < channels; c++) {
                        double d = xs[base + c] - shift[c];
                        acc[c] += d;
                        acc[channels + c] += d * d;
                    }
                }
            }
        });
        double[][] out = new double[2][channels];
        for (int c = 0; c < channels; c++) {
            double meanShifted = sums[c] / rows;
            out[0][c] = shift[c] + meanShifted;
            out[1][c] = Math.max(0.0, sums[channels + c] / rows - meanShifted * meanShifted);
        }
        return out;
    }

    /** 1 / sqrt(var_c + eps). */
    private static float[] inverseStd(float[] variance, float epsilon) {
        float[] out = new float[variance.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = (float) (1.0 / Math.sqrt(variance[c] + epsilon));
        }
        return out;
    }

    /** moving_c -= (moving_c - correction * batch_c) * (1 - momentum): Keras' assign_moving_average. */
    private static void updateMovingAverage(Tensor moving, double[] batch, double correction, float momentum) {
        for (int c = 0; c < batch.length; c++) {
            float m = moving.data().get(c);
            moving.data().put(c, m - (m - (float) (batch[c] * correction)) * (1f - momentum));
        }
    }

    /** y[r, c] = x[r, c] * s_c + t_c: the convolution epilogue's scale and shift (see Epilogue.Channels). */
    private static void scaleAndShift(Tensor x, float[] s, float[] t, Tensor y) {
        int channels = s.length;
        Epilogue.Bound e = new Epilogue.Bound(new Epilogue.Channels(null, new float[][] {s, t}, channels), null,
                ActivationFunction.LINEAR);
        Epilogue.apply(e, x.data(), y.data(), 0, x.size() / channels, channels);
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
     */
    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        int channels = mean.length;
        int rows = outputGradient.size() / channels;
        boolean needSums = weightGradients || (inputGradientNeeded[0] && usedBatchStatistics);
        double[][] sums = needSums ? gradientSums(outputGradient, input, mean, inverseStd, rows, channels) : null;
        if (weightGradients) {
            if (gamma != null) {
                writeGradient(gamma.gradient(), sums[1]);
            }
            if (beta != null) {
                writeGradient(beta.gradient(), sums[0]);
            }
        }
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, outputGradient.shape());
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            s[c] = gammaAt(c) * inverseStd[c];
        }
        if (usedBatchStatistics) {
            batchStatisticsInputGradient(outputGradient, input, mean, inverseStd, s, sums, rows, inputGradient);
        } else {
            scaleAndShift(outputGradient, s, new float[channels], inputGradient);
        }
        return new Tensor[] {inputGradient};
    }

    /** sums[0][c] = sum_r dy[r, c]; sums[1][c] = sum_r dy[r, c] * xhat[r, c]. */
    private static double[][] gradientSums(Tensor dy, Tensor x, float[] mean, float[] istd, int rows, int channels) {
        double[] both = sumOverRows(rows, channels, 2 * channels, (r0, r1, acc) ->
                forEachTilePair(dy, x, r0, r1, channels, (dys, xs, row, length) -> {
                    for (int base = 0; base < length; base += channels) {
                        for (int c = 0; c < channels; c++) {
                            double g = dys[base + c];
                            acc[c] += g;
                            acc[channels + c] += g * (xs[base + c] - mean[c]) * istd[c];
                        }
                    }
                }));
        double[][] out = new double[2][channels];
        System.arraycopy(both, 0, out[0], 0, channels);
        System.arraycopy(both, channels, out[1], 0, channels);
        return out;
    }

    /** dx[r, c] = s_c / n * (n * dy[r, c] - sum_dy_c - xhat[r, c] * sum_dy_xhat_c), where s_c = gamma_c * istd_c. */
    private static void batchStatisticsInputGradient(Tensor dy, Tensor x, float[] mean, float[] istd, float[] s,
            double[][] sums, int rows, Tensor dx) {
        int channels = s.length;
        float[] sumDy = toFloat(sums[0]);
        float[] sumDyXhat = toFloat(sums[1]);
        float n = rows;
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / channels), (r0, r1) ->
                forEachTilePair(dy, x, r0, r1, channels, (dys, xs, row, length) -> {
                    for (int base = 0; base < length; base += channels) {
                        for (int c = 0; c < channels; c++) {
                            float xhat = (xs[base + c] - mean[c]) * istd[c];
                            float g = n * dys[base + c] - sumDy[c] - xhat * sumDyXhat[c];
                            dys[base + c] = s[c] / n * g;
                        }
                    }
                    dx.data().put(row * channels, dys, 0, length);
                }));
    }

    // ---------------------------------------------------------------- helpers

    private float gammaAt(int c) {
        return gamma == null ? 1f : gamma.value().data().get(c);
    }

    private float betaAt(int c) {
        return beta == null ? 0f : beta.value().data().get(c);
    }

    private static void writeGradient(Tensor gradient, double[] values) {
        for (int c = 0; c < values.length; c++) {
            gradient.data().put(c, (float) values[c]);
        }
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** A kernel on a tile of whole rows: dy and x hold the same {@code length} floats, from row {@code row} on. */
    @FunctionalInterface
    private interface TilePair {
        void run(float[] dy, float[] x, int row, int length);
    }

    /** Streams rows [r0, r1) of dy and x through the calling thread's tiles (see {@link Scratch}). */
    private static void forEachTilePair(Tensor dy, Tensor x, int r0, int r1, int channels, TilePair body) {
        int tileRows = Scratch.rowsPerTile(channels);
        float[] dys = Scratch.floats(0, tileRows * channels);
        float[] xs = Scratch.floats(1, tileRows * channels);
        for (int r = r0; r < r1; r += tileRows) {
            int length = Math.min(tileRows, r1 - r) * channels;
            dy.data().get(r * channels, dys, 0, length);
            x.data().get(r * channels, xs, 0, length);
            body.run(dys, xs, r, length);
        }
    }

    /** Adds the sums of rows [rowStart, rowEnd) into {@code acc}. */
    @FunctionalInterface
    private interface RowRangeSum {
        void add(int rowStart, int rowEnd, double[] acc);
    }

    /**
     * Per-channel sums over the rows, split into one chunk of rows per core. Each chunk sums into its own array
     * and the chunks are added in order afterwards, so the result does not depend on thread timing.
     */
    private static double[] sumOverRows(int rows, int channels, int width, RowRangeSum body) {
        int chunks = Math.max(1, Math.min(Parallel.threads(), (int) ((long) rows * channels / MIN_FLOATS_PER_CHUNK)));
        double[][] partial = new double[chunks][width];
        Parallel.range(chunks, 1, (k0, k1) -> {
            for (int k = k0; k < k1; k++) {
                body.add((int) ((long) rows * k / chunks), (int) ((long) rows * (k + 1) / chunks), partial[k]);
            }
        });
        double[] total = new double[width];
        for (double[] p : partial) {
            for (int i = 0; i < width; i++) {
                total[i] += p[i];
            }
        }
        return total;
    }
}
