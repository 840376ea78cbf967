package dev.convey.training;

import java.nio.FloatBuffer;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code sparse_categorical_crossentropy}: categorical cross-entropy with integer class labels instead
 * of one-hot rows. Labels have shape (N,) or (N, 1) (one class index per output row), stored as whole numbers
 * in float tensors. l_n = -log clip(p_{n,k_n}) with Keras' clip to [1e-7, 1 - 1e-7].
 *
 * <p>After a softmax the loss is fused with it (see {@link Loss}): dL/dz_nc = (p_nc - [c = k_n]) / N.
 */
public final class SparseCategoricalCrossentropy extends SoftmaxCrossentropy {

    public SparseCategoricalCrossentropy() {
        super("sparse_categorical_crossentropy");
    }

    @Override
    protected double[] sampleLosses(Tensor yPred, Tensor yTrue, Tensor gradient, boolean fused) {
        int classes = yPred.dim(-1);
        int rowCount = yPred.size() / classes;
        checkLabels(yPred, yTrue, rowCount);
        FloatBuffer p = yPred.data();
        double[] rowLosses = new double[rowCount];
        for (int r = 0; r < rowCount; r++) {
            int o = r * classes;
            int k = classIndex(yTrue, r, classes);
            double pk = p.get(o + k);
            rowLosses[r] = -Math.log(CategoricalCrossentropy.clip(pk));
            if (gradient != null) {
                // Only the true class has a non-zero dl/dp: -1/p_k (0 where Keras' clip is active, unless fused).
                for (int c = 0; c < classes; c++) {
                    gradient.data().put(o + c, 0f);
                }
                float gk = fused ? CategoricalCrossentropy.fusedGradient(1, pk, rowCount)
                        : CategoricalCrossentropy.unclipped(pk) ? (float) (-1 / pk / rowCount) : 0f;
                gradient.data().put(o + k, gk);
            }
        }
        return meanPerSample(rowLosses, yPred.dim(0));
    }

    private void checkLabels(Tensor yPred, Tensor yTrue, int rowCount) {
        if (yTrue.size() != rowCount || yTrue.dim(0) != yPred.dim(0)) {
            throw labelError(yPred, yTrue, "sparse_categorical_crossentropy expects one integer class index per "
                    + "sample, shape " + Shapes.toString(new int[] {yPred.dim(0)}) + " or "
                    + Shapes.toString(new int[] {yPred.dim(0), 1}) + " (use categorical_crossentropy for one-hot labels)");
        }
    }

    /** The class index of row r, checked to be a whole number in [0, classes). */
    static int classIndex(Tensor yTrue, int row, int classes) {
        float label = yTrue.data().get(row);
        int k = (int) label;
        if (k != label || k < 0 || k >= classes) {
            throw new IllegalArgumentException("sparse label " + label + " of sample " + row
                    + " is not a class index in [0, " + classes + ") for a model output of " + classes + " classes");
        }
        return k;
    }
}
