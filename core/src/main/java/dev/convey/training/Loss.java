package dev.convey.training;

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
    public abstract double compute(Tensor yPred, Tensor yTrue, Tensor gradient);

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
    public double computeFused(Tensor yPred, Tensor yTrue, Tensor gradient) {
        throw new UnsupportedOperationException(name + " is not fused with an output activation");
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
