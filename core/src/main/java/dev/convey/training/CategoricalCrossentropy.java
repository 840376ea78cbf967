package dev.convey.training;

import java.nio.FloatBuffer;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code categorical_crossentropy}: labels are one-hot (or any distribution) rows of the output's shape,
 * l_n = -sum_c y_nc log q_nc, averaged over the batch, where, as in Keras, each probability row is renormalised,
 * q = p / sum_c p_c, and clipped to [1e-7, 1 - 1e-7] before the log.
 *
 * <p>After a softmax the loss is fused with it (see {@link Loss}): dL/dz = (p - y)/N.
 */
public final class CategoricalCrossentropy extends SoftmaxCrossentropy {

    private static final String EXPECTED = "categorical_crossentropy expects one-hot labels with one column per "
            + "class (use sparse_categorical_crossentropy for integer class labels)";

    public CategoricalCrossentropy() {
        super("categorical_crossentropy");
    }

    @Override
    protected double[] sampleLosses(Tensor yPred, Tensor yTrue, Tensor gradient, boolean fused) {
        requireSameShape(yPred, yTrue, EXPECTED);
        int classes = yPred.dim(-1);
        int rowCount = yPred.size() / classes;
        FloatBuffer p = yPred.data();
        FloatBuffer y = yTrue.data();
        double[] rowLosses = new double[rowCount];
        for (int r = 0; r < rowCount; r++) {
            int o = r * classes;
            double sum = rowSum(p, o, classes);
            rowLosses[r] = rowLoss(p, y, o, classes, sum);
            if (gradient == null) {
                continue;
            }
            if (fused) {
                for (int c = 0; c < classes; c++) {
                    gradient.data().put(o + c, fusedGradient(y.get(o + c), p.get(o + c), rowCount));
                }
                continue;
            }
            // l = -sum_c y_c log clip(q_c), q_c = p_c / S: dl/dq_c = -y_c / q_c where q_c is not clipped (0 where
            // it is), and through the normalisation dl/dp_k = (dl/dq_k - sum_c dl/dq_c q_c) / S.
            double dot = 0;
            for (int c = 0; c < classes; c++) {
                dot += unclipped(p.get(o + c) / sum) ? -y.get(o + c) : 0;
            }
            for (int c = 0; c < classes; c++) {
                double q = p.get(o + c) / sum;
                double dq = unclipped(q) ? -y.get(o + c) / q : 0;
                gradient.data().put(o + c, (float) ((dq - dot) / sum / rowCount));
            }
        }
        return meanPerSample(rowLosses, yPred.dim(0));
    }

    /** -sum_c y_c log clip(p_c / S): Keras' reported value. */
    private static double rowLoss(FloatBuffer p, FloatBuffer y, int o, int classes, double sum) {
        double loss = 0;
        for (int c = 0; c < classes; c++) {
            loss -= y.get(o + c) * Math.log(clip(p.get(o + c) / sum));
        }
        return loss;
    }

    private static double rowSum(FloatBuffer p, int o, int classes) {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += p.get(o + c);
        }
        return sum;
    }

    static double clip(double q) {
        return Math.min(Math.max(q, EPSILON), 1 - EPSILON);
    }

    static boolean unclipped(double q) {
        return q > EPSILON && q < 1 - EPSILON;
    }

    /** dL/dp_c = -y_c / (N p_c), which the softmax backward maps to (p_c - y_c)/N; 0 where y_c = 0. */
    static float fusedGradient(double label, double p, int rowCount) {
        return label == 0 ? 0f : (float) (-label / (rowCount * Math.max(p, Float.MIN_NORMAL)));
    }
}
