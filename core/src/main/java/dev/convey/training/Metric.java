package dev.convey.training;

import java.util.Locale;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * A Keras metric: a per-sample score averaged over every sample seen since the last {@link #reset()} (Keras'
 * {@code MeanMetricWrapper}), so an epoch's value is the mean over all its samples, not the mean of batch means.
 */
public abstract class Metric {

    private final String name;
    private double total;
    private long count;

    protected Metric(String name) {
        this.name = name;
    }

    /** The key in the logs and the History: {@code accuracy}, {@code top_k_categorical_accuracy}. */
    public String name() {
        return name;
    }

    /**
     * The metric by Keras name: {@code accuracy} (or {@code acc}; binary, sparse or categorical picked from the
     * shapes as Keras does), {@code categorical_accuracy}, {@code sparse_categorical_accuracy},
     * {@code binary_accuracy}, {@code top_k_categorical_accuracy} and {@code sparse_top_k_categorical_accuracy}
     * (k = 5).
     */
    public static Metric get(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "accuracy":
            case "acc":
                return new Accuracy(name.toLowerCase(Locale.ROOT), null);
            case "categorical_accuracy":
                return new Accuracy("categorical_accuracy", Accuracy.Kind.CATEGORICAL);
            case "sparse_categorical_accuracy":
                return new Accuracy("sparse_categorical_accuracy", Accuracy.Kind.SPARSE_CATEGORICAL);
            case "binary_accuracy":
                return new Accuracy("binary_accuracy", Accuracy.Kind.BINARY);
            case "top_k_categorical_accuracy":
                return new TopKCategoricalAccuracy(5, false);
            case "sparse_top_k_categorical_accuracy":
                return new TopKCategoricalAccuracy(5, true);
            default:
                throw new IllegalArgumentException("Unknown metric '" + name + "'; expected accuracy, "
                        + "categorical_accuracy, sparse_categorical_accuracy, binary_accuracy, "
                        + "top_k_categorical_accuracy or sparse_top_k_categorical_accuracy");
        }
    }

    /** Adds the scores of one batch of predictions against its labels. */
    public final void update(Tensor yPred, Tensor yTrue) {
        prepare(yPred, yTrue);
        int n = sampleCount(yPred);
        for (int i = 0; i < n; i++) {
            total += score(yPred, yTrue, i);
        }
        count += n;
    }

    /** The mean score over the samples seen; 0 before any. */
    public final double result() {
        return count == 0 ? 0 : total / count;
    }

    public final void reset() {
        total = 0;
        count = 0;
    }

    /** Checks the label shape against the output (and picks a variant from them); throws naming both shapes. */
    protected abstract void prepare(Tensor yPred, Tensor yTrue);

    /** Throws unless the labels have {@code expectedSize} elements and the output's batch size. */
    protected final void requireLabelSize(Tensor yPred, Tensor yTrue, int expectedSize, String expectation) {
        if (yTrue.size() != expectedSize || yTrue.dim(0) != yPred.dim(0)) {
            throw new IllegalArgumentException(name + ": labels of shape " + Shapes.toString(yTrue.shape())
                    + " do not match the model output of shape " + Shapes.toString(yPred.shape()) + "; expected "
                    + expectation);
        }
    }

    /** How many per-sample scores a batch gives: one per output row (the last axis holds the classes). */
    protected int sampleCount(Tensor yPred) {
        return yPred.size() / yPred.dim(-1);
    }

    /** The score of output row {@code row}, in [0, 1]. */
    protected abstract double score(Tensor yPred, Tensor yTrue, int row);

    /** The index of the largest of {@code count} values from {@code offset} (the first one on ties, as tf.argmax). */
    static int argmax(Tensor t, int offset, int count) {
        int best = 0;
        for (int c = 1; c < count; c++) {
            if (t.data().get(offset + c) > t.data().get(offset + best)) {
                best = c;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return name;
    }
}
