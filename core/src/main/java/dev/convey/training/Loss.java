package dev.convey.training;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * A Keras loss, averaged over the batch (Keras' default reduction {@code SUM_OVER_BATCH_SIZE}): L = (1/N) sum_n l_n.
 *
 * <p>{@link #compute} returns L and writes dL/dy_pred, the gradient the backward pass starts from. The 1/N of
 * the mean is part of that gradient, so weight gradients are batch means.
 *
 * <p>A cross-entropy right after a softmax is fused with it, as Keras does: the gradient wrt the softmax input z
 * (the logits) collapses to dL/dz = (p - y)/N. The output layer still runs its own softmax backward, which maps
 * dL/dp to dL/dz_k = p_k (dL/dp_k - sum_j dL/dp_j p_j); {@link #computeFused} therefore hands it
 * dL/dp_j = -y_j / (N p_j), for which that formula gives exactly (p_k sum_j y_j - y_k)/N = (p_k - y_k)/N with no
 * clipping and no cancellation (p is kept above the smallest normal float, so the division stays finite; that
 * only matters once the true class' logit trails the largest by more than 87).
 *
 * <p>Sample weights (Keras' {@code sample_weight}, and {@code class_weight} turned into them by
 * {@link ClassWeights}) scale each sample's loss: L = (1/N) sum_n w_n l_n, still divided by N.
 */
public abstract class Loss {

    /** Keras' epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON] before taking their log. */
    public static final float EPSILON = 1e-7f;

    private final String name;

    protected Loss(String name) {
        this.name = name;
    }

    /** Keras' name: {@code categorical_crossentropy}, ... */
    public String name() {
        return name;
    }

    /** The loss by Keras name (also Keras' aliases {@code mse}, {@code mean_squared_error}). */
    public static Loss get(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "categorical_crossentropy":
                return new CategoricalCrossentropy();
            case "sparse_categorical_crossentropy":
                return new SparseCategoricalCrossentropy();
            case "binary_crossentropy":
                return new BinaryCrossentropy();
            case "mean_squared_error":
            case "mse":
                return new MeanSquaredError();
            default:
                throw new IllegalArgumentException("Unknown loss '" + name + "'; expected one of "
                        + "categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, "
                        + "mean_squared_error (mse)");
        }
    }

    /**
     * L = mean over the batch of the per-sample loss of {@code yPred} (the model output, batch first) against
     * {@code yTrue}; writes dL/dyPred into {@code gradient} (same shape as yPred) unless it is null.
     */
    public final double compute(Tensor yPred, Tensor yTrue, Tensor gradient) {
        return compute(yPred, yTrue, null, gradient);
    }

    /**
     * Keras' {@code loss(y_true, y_pred, sample_weight)}: L = (1/N) sum_n w_n l_n over the N samples of the
     * batch (reduction {@code sum_over_batch_size}: the divisor is N, not the sum of the weights), and
     * dL/dyPred = w_n times the unweighted gradient, sample by sample. {@code sampleWeight} is {@code (N,)} (or
     * {@code (N, 1)}), finite and non-negative; null means every w_n = 1.
     */
    public final double compute(Tensor yPred, Tensor yTrue, Tensor sampleWeight, Tensor gradient) {
        return weightedMean(sampleLosses(yPred, yTrue, gradient, false), sampleWeight, gradient);
    }

    /**
     * The output activation this loss fuses with ({@code "softmax"} for the cross-entropies), or null. When the
     * model ends in it, training calls {@link #computeFused} instead of {@link #compute}.
     */
    public String fusedActivation() {
        return null;
    }

    /**
     * The same loss value as {@link #compute}; the gradient written is the dL/dp that the activation's own
     * backward turns into the fused dL/dz (see the class comment).
     */
    public final double computeFused(Tensor yPred, Tensor yTrue, Tensor gradient) {
        return computeFused(yPred, yTrue, null, gradient);
    }

    /** {@link #computeFused(Tensor, Tensor, Tensor)} with sample weights, as {@link #compute(Tensor, Tensor, Tensor, Tensor)}. */
    public final double computeFused(Tensor yPred, Tensor yTrue, Tensor sampleWeight, Tensor gradient) {
        if (fusedActivation() == null) {
            throw new UnsupportedOperationException(name + " is not fused with an output activation");
        }
        return weightedMean(sampleLosses(yPred, yTrue, gradient, true), sampleWeight, gradient);
    }

    /**
     * The loss l_n of each of the N samples of the batch (the mean over the sample's elements where Keras
     * averages over them), and, unless {@code gradient} is null, the gradient of the unweighted mean
     * (1/N) sum_n l_n written into it ({@code fused}: the form for the fused activation, see the class comment).
     */
    protected abstract double[] sampleLosses(Tensor yPred, Tensor yTrue, Tensor gradient, boolean fused);

    /**
     * (1/N) sum_n w_n l_n, each sample's slice of the gradient scaled by its w_n: the gradient of a sample's
     * loss involves only that sample's outputs, so weighting it is weighting its slice.
     */
    private double weightedMean(double[] losses, Tensor sampleWeight, Tensor gradient) {
        int n = losses.length;
        double total = 0;
        if (sampleWeight == null) {
            for (double l : losses) {
                total += l;
            }
            return total / n;
        }
        if (sampleWeight.size() != n || sampleWeight.rank() > 2 || sampleWeight.dim(0) != n) {
            throw new IllegalArgumentException(name + ": sample_weight of shape " + Shapes.toString(sampleWeight.shape())
                    + " for a batch of " + n + " samples; expected one weight per sample, shape ("  + n + ",)");
        }
        FloatBuffer w = sampleWeight.data();
        int per = gradient == null ? 0 : gradient.size() / n;
        for (int i = 0; i < n; i++) {
            float wi = w.get(i);
            if (!(wi >= 0) || Float.isInfinite(wi)) {
                throw new IllegalArgumentException(name + ": sample_weight " + wi + " of sample " + i
                        + " is not a finite non-negative number");
            }
            total += wi * losses[i];
            for (int k = i * per; k < (i + 1) * per; k++) {
                gradient.data().put(k, gradient.data().get(k) * wi);
            }
        }
        return total / n;
    }

    /**
     * Per-sample losses from the losses of the {@code samples * k} elements (or rows) of a batch, sample-major:
     * the mean of each sample's k values, as Keras averages over the axes after the batch's.
     */
    protected static double[] meanPerSample(double[] values, int samples) {
        int per = values.length / samples;
        double[] out = new double[samples];
        for (int i = 0; i < values.length; i++) {
            out[i / per] += values[i];
        }
        for (int n = 0; n < samples; n++) {
            out[n] /= per;
        }
        return out;
    }

    /** Checks that the labels have exactly the output's shape, naming the loss and both shapes. */
    protected final void requireSameShape(Tensor yPred, Tensor yTrue, String expectation) {
        if (!Arrays.equals(yPred.shape(), yTrue.shape())) {
            throw labelError(yPred, yTrue, expectation);
        }
    }

    /** "Labels of shape (32, 5) do not match the model output of shape (32, 10): ..." */
    protected final IllegalArgumentException labelError(Tensor yPred, Tensor yTrue, String expectation) {
        return new IllegalArgumentException(name + ": labels of shape " + Shapes.toString(yTrue.shape())
                + " do not match the model output of shape " + Shapes.toString(yPred.shape()) + "; " + expectation);
    }

    @Override
    public String toString() {
        return name;
    }
}
