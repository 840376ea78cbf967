package dev.convey.training;

import dev.convey.tensor.Tensor;

/**
 * Keras' accuracy metrics. For {@code metrics=["accuracy"]} Keras picks the variant from the shapes of the
 * first batch: a single output column means binary; labels with fewer axes than the output, or one column
 * against several, mean sparse class indices; otherwise one-hot (categorical).
 * <ul>
 *   <li>categorical: argmax(y_pred) = argmax(y_true)
 *   <li>sparse categorical: argmax(y_pred) = y_true
 *   <li>binary: [y_pred > 0.5] = y_true, per output element
 * </ul>
 */
public final class Accuracy extends Metric {

    /** Which comparison. */
    public enum Kind { CATEGORICAL, SPARSE_CATEGORICAL, BINARY }

    private Kind kind;

    /** @param kind the variant, or null to pick it from the first batch's shapes as Keras' "accuracy" does */
    public Accuracy(String name, Kind kind) {
        super(name);
        this.kind = kind;
    }

    /** The variant in use (null until the first batch when it is picked from the shapes). */
    public Kind kind() {
        return kind;
    }

    /** Keras' rule (compile_utils, for "accuracy"): binary if the output has one column, sparse if the labels do. */
    static Kind inferKind(Tensor yPred, Tensor yTrue) {
        int predLast = yPred.dim(-1);
        int trueLast = yTrue.dim(-1);
        if (predLast == 1) {
            return Kind.BINARY;
        }
        if (yTrue.rank() < yPred.rank() || (trueLast == 1 && predLast > 1)) {
            return Kind.SPARSE_CATEGORICAL;
        }
        return Kind.CATEGORICAL;
    }

    @Override
    protected int sampleCount(Tensor yPred) {
        if (kind == null) {
            throw new IllegalStateException(name() + ": kind not chosen yet");
        }
        return kind == Kind.BINARY ? yPred.size() : super.sampleCount(yPred);
    }

    @Override
    protected double score(Tensor yPred, Tensor yTrue, int row) {
        int classes = yPred.dim(-1);
        switch (kind) {
            case BINARY:
                return (yPred.data().get(row) > 0.5f ? 1f : 0f) == yTrue.data().get(row) ? 1 : 0;
            case SPARSE_CATEGORICAL:
                return argmax(yPred, row * classes, classes) == yTrue.data().get(row) ? 1 : 0;
            default:
                return argmax(yPred, row * classes, classes) == argmax(yTrue, row * classes, classes) ? 1 : 0;
        }
    }

    /** Picks the variant on the first batch and checks the label shape for it. */
    @Override
    protected void prepare(Tensor yPred, Tensor yTrue) {
        if (kind == null) {
            kind = inferKind(yPred, yTrue);
        }
        if (kind == Kind.SPARSE_CATEGORICAL) {
            requireLabelSize(yPred, yTrue, yPred.size() / yPred.dim(-1), "one class index per sample");
        } else {
            requireLabelSize(yPred, yTrue, yPred.size(), "labels of the output's shape for "
                    + (kind == Kind.BINARY ? "binary" : "categorical (one-hot)") + " accuracy");
        }
    }
}
