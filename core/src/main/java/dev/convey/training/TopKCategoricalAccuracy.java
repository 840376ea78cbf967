package dev.convey.training;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code top_k_categorical_accuracy} (k = 5 by default): 1 if the true class is among the k highest
 * predictions. As TensorFlow's {@code in_top_k}, classes tied with the k-th value count as inside, so the test
 * is "fewer than k classes score strictly higher than the true class". Labels are one-hot, or class indices
 * for the sparse variant.
 */
public final class TopKCategoricalAccuracy extends Metric {

    private final int k;
    private final boolean sparse;

    public TopKCategoricalAccuracy(int k, boolean sparse) {
        super(sparse ? "sparse_top_k_categorical_accuracy" : "top_k_categorical_accuracy");
        if (k < 1) {
            throw new IllegalArgumentException("top-k accuracy needs k >= 1, got " + k);
        }
        this.k = k;
        this.sparse = sparse;
    }

    public int k() {
        return k;
    }

    @Override
    protected void prepare(Tensor yPred, Tensor yTrue) {
        if (sparse) {
            requireLabelSize(yPred, yTrue, yPred.size() / yPred.dim(-1), "one class index per sample");
        } else {
            requireLabelSize(yPred, yTrue, yPred.size(), "one-hot labels of the output's shape");
        }
    }

    @Override
    protected double score(Tensor yPred, Tensor yTrue, int row) {
        int classes = yPred.dim(-1);
        int offset = row * classes;
        int trueClass = sparse ? SparseCategoricalCrossentropy.classIndex(yTrue, row, classes)
                : argmax(yTrue, offset, classes);
        float target = yPred.data().get(offset + trueClass);
        int higher = 0;
        for (int c = 0; c < classes; c++) {
            if (yPred.data().get(offset + c) > target) {
                higher++;
            }
        }
        return higher < k ? 1 : 0;
    }
}
