package dev.convey.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Dense;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Tensor;

/**
 * Each optimizer over three steps on a 4-element weight with fixed gradients, against the Keras rule computed
 * here in double precision (Adam in the textbook bias-corrected form with epsilon-hat, an independent
 * rewriting of TensorFlow's folded form).
 */
class OptimizerTest {

    private static final double[] W0 = {0.5, -1.25, 2.0, 0.0};
    private static final double[][] GRADS = {
            {0.1, -0.2, 0.3, 0.0},
            {-0.4, 0.5, 0.05, 1.0},
            {0.25, 0.25, -0.75, -0.5}};

    /** A real trainable weight: the bias of a Dense(4) (any Parameter works; its constructor is not public). */
    private static Parameter weight() {
        Dense d = new Dense(4);
        d.build(new int[] {3});
        Parameter bias = d.weights().get(1);
        bias.assign(Tensor.of(toFloat(W0), 4));
        return bias;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** Runs the three steps through the optimizer and compares each step's weight with the reference. */
    private static void check(Optimizer optimizer, double[][] expectedPerStep) {
        Parameter p = weight();
        for (int step = 0; step < 3; step++) {
            p.gradient().copyFrom(Tensor.of(toFloat(GRADS[step]), 4));
            optimizer.applyGradients(List.of(p));
            float[] w = p.value().toArray();
            for (int i = 0; i < 4; i++) {
                assertEquals(expectedPerStep[step][i], w[i], 1e-6, optimizer.name() + " step " + (step + 1) + " element " + i);
            }
        }
        assertEquals(3, optimizer.iterations());
    }

    @Test
    void defaultsAreKeras() {
        assertEquals(0.01f, new SGD().learningRate());
        assertEquals(0f, new SGD().momentum());
        assertEquals(0.001f, new Adam().learningRate());
        assertEquals(0.001f, new RMSprop().learningRate());
        Optimizer o = new Adam();
        o.setLearningRate(1e-5);
        assertEquals(1e-5f, o.learningRate());
        assertThrows(IllegalArgumentException.class, () -> o.setLearningRate(-1));
    }

    @Test
    void plainSgd() {
        double lr = 0.1;
        double[][] expected = new double[3][];
        double[] w = W0.clone();
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 4; i++) {
                w[i] -= lr * GRADS[t][i];
            }
            expected[t] = w.clone();
        }
        check(new SGD(lr), expected);
    }

    @Test
    void sgdWithMomentumAndNesterov() {
        double lr = 0.1;
        double mu = 0.9;
        for (boolean nesterov : new boolean[] {false, true}) {
            double[][] expected = new double[3][];
            double[] w = W0.clone();
            double[] v = new double[4];
            for (int t = 0; t < 3; t++) {
                for (int i = 0; i < 4; i++) {
                    v[i] = mu * v[i] - lr * GRADS[t][i];
                    w[i] += nesterov ? mu * v[i] - lr * GRADS[t][i] : v[i];
                }
                expected[t] = w.clone();
            }
            check(new SGD(lr, mu, nesterov), expected);
        }
        // By hand, first element, nesterov: v1 = -0.01, w1 = 0.5 + 0.9 * -0.01 - 0.01 = 0.481.
        Parameter p = weight();
        p.gradient().copyFrom(Tensor.of(toFloat(GRADS[0]), 4));
        new SGD(lr, mu, true).applyGradients(List.of(p));
        assertEquals(0.481, p.value().get(0), 1e-7);
    }

    @Test
    void adam() {
        double lr = 0.01;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-7;
        double[][] expected = new double[3][];
        double[] w = W0.clone();
        double[] m = new double[4];
        double[] v = new double[4];
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < 4; i++) {
                double g = GRADS[t - 1][i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                // Keras' epsilon is epsilon-hat: added to sqrt(v), not to sqrt(v_hat).
                double epsHat = eps / Math.sqrt(1 - Math.pow(b2, t));
                w[i] -= lr * mHat / (Math.sqrt(vHat) + epsHat);
            }
            expected[t - 1] = w.clone();
        }
        check(new Adam(lr), expected);
        // By hand, first element, step 1: m = 0.01, v = 1e-5, w = 0.5 - 0.01 * 0.1/sqrt(0.001)*sqrt(0.001)/0.1 = 0.49.
        assertEquals(0.49, expected[0][0], 1e-6);
    }

    @Test
    void rmsprop() {
        double lr = 0.01;
        double rho = 0.9;
        double eps = 1e-7;
        double[][] expected = new double[3][];
        double[] w = W0.clone();
        double[] ms = new double[4];
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 4; i++) {
                double g = GRADS[t][i];
                ms[i] = rho * ms[i] + (1 - rho) * g * g;
                w[i] -= lr * g / (Math.sqrt(ms[i]) + eps);
            }
            expected[t] = w.clone();
        }
        check(new RMSprop(lr), expected);
    }

    @Test
    void rmspropWithMomentumAndCentered() {
        double lr = 0.01;
        double rho = 0.9;
        double mu = 0.5;
        double eps = 1e-7;
        double[][] expected = new double[3][];
        double[] w = W0.clone();
        double[] ms = new double[4];
        double[] mg = new double[4];
        double[] mom = new double[4];
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 4; i++) {
                double g = GRADS[t][i];
                ms[i] = rho * ms[i] + (1 - rho) * g * g;
                mg[i] = rho * mg[i] + (1 - rho) * g;
                mom[i] = mu * mom[i] + lr * g / Math.sqrt(ms[i] - mg[i] * mg[i] + eps);
                w[i] -= mom[i];
            }
            expected[t] = w.clone();
        }
        check(new RMSprop(lr, rho, mu, eps, true), expected);
    }

    @Test
    void slotsPersistPerParameter() {
        SGD sgd = new SGD(0.1, 0.9, false);
        Parameter p = weight();
        p.gradient().copyFrom(Tensor.of(toFloat(GRADS[0]), 4));
        sgd.applyGradients(List.of(p));
        assertArrayEquals(new float[] {-0.01f, 0.02f, -0.03f, 0f}, sgd.slots(p)[0].toArray(), 1e-8f);
    }
}
