package dev.convey.training;

import java.nio.FloatBuffer;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code mean_squared_error}: L = (1/count) sum_i (p_i - y_i)^2 over every output element, and
 * dL/dp_i = 2 (p_i - y_i) / count.
 */
public final class MeanSquaredError extends Loss {

    public MeanSquaredError() {
        super("mean_squared_error");
    }

    @Override
    protected double[] sampleLosses(Tensor yPred, Tensor yTrue, Tensor gradient, boolean fused) {
        requireSameShape(yPred, yTrue, "mean_squared_error expects targets of the output's shape");
        FloatBuffer p = yPred.data();
        FloatBuffer y = yTrue.data();
        int n = yPred.size();
        double[] losses = new double[n];
        for (int i = 0; i < n; i++) {
            double d = (double) p.get(i) - y.get(i);
            losses[i] = d * d;
            if (gradient != null) {
                gradient.data().put(i, (float) (2 * d / n));
            }
        }
        return meanPerSample(losses, yPred.dim(0));
    }
}
