package dev.convey.training;

import java.nio.FloatBuffer;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code binary_crossentropy}: independent yes/no outputs p in (0, 1) with labels y in [0, 1],
 * l = -(y log p + (1 - y) log(1 - p)), averaged over every output element (Keras averages over the last axis,
 * then over the batch: the same number when every sample has the same number of outputs).
 *
 * <p>p is clipped to [1e-7, 1 - 1e-7] as Keras does, and dL/dp = (-y/p + (1 - y)/(1 - p)) / count where p is
 * not clipped (0 where it is).
 */
public final class BinaryCrossentropy extends Loss {

    public BinaryCrossentropy() {
        super("binary_crossentropy");
    }

    @Override
    protected double[] sampleLosses(Tensor yPred, Tensor yTrue, Tensor gradient, boolean fused) {
        requireSameShape(yPred, yTrue, "binary_crossentropy expects one 0/1 label per output");
        FloatBuffer p = yPred.data();
        FloatBuffer y = yTrue.data();
        int n = yPred.size();
        double[] losses = new double[n];
        for (int i = 0; i < n; i++) {
            double pi = p.get(i);
            double clipped = Math.min(Math.max(pi, EPSILON), 1 - EPSILON);
            double yi = y.get(i);
            losses[i] = -(yi * Math.log(clipped) + (1 - yi) * Math.log(1 - clipped));
            if (gradient != null) {
                // dl/dp = -y/p + (1 - y)/(1 - p) where p is not clipped, else 0.
                boolean inside = pi > EPSILON && pi < 1 - EPSILON;
                gradient.data().put(i, inside ? (float) ((-yi / pi + (1 - yi) / (1 - pi)) / n) : 0f);
            }
        }
        return meanPerSample(losses, yPred.dim(0));
    }
}
