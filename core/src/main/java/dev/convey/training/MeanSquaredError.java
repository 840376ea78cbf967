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
    public double compute(Tensor yPred, Tensor yTrue, Tensor gradient) {
        requireSameShape(yPred, yTrue, "mean_squared_error expects targets of the output's shape");
        FloatBuffer p = yPred.data();
        FloatBuffer y = yTrue.data();
        int n = yPred.size();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) p.get(i) - y.get(i);
            total += d * d;
            if (gradient != null) {
                gradient.data().put(i, (float) (2 * d / n));
            }
        }
        return total / n;
    }
}
