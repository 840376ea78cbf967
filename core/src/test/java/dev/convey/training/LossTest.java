package dev.convey.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;

import dev.convey.layers.ActivationFunction;
import dev.convey.tensor.Tensor;

/** Loss values against hand computation, gradients against central differences in double. */
class LossTest {

    private static final Tensor ONE_HOT = Tensor.of(new float[] {0, 1, 0, 1, 0, 0}, 2, 3);
    private static final Tensor SPARSE = Tensor.of(new float[] {1, 0}, 2);

    @Test
    void categoricalCrossentropyValueByHand() {
        Tensor p = Tensor.of(new float[] {0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f}, 2, 3);
        double expected = (-Math.log(0.7) - Math.log(0.5)) / 2;
        assertEquals(expected, new CategoricalCrossentropy().compute(p, ONE_HOT, null), 1e-6);
        assertEquals(expected, new SparseCategoricalCrossentropy().compute(p, SPARSE, null), 1e-6);
        // Keras clips to [1e-7, 1 - 1e-7]: a zero probability for the true class costs -log(1e-7) = 16.118.
        Tensor certainWrong = Tensor.of(new float[] {1, 0, 0}, 1, 3);
        Tensor label = Tensor.of(new float[] {0, 1, 0}, 1, 3);
        assertEquals(16.11809565, new CategoricalCrossentropy().compute(certainWrong, label, null), 1e-5);
        // Keras renormalises each row: p = (1, 2, 1) is (0.25, 0.5, 0.25).
        Tensor unnormalised = Tensor.of(new float[] {1, 2, 1}, 1, 3);
        assertEquals(-Math.log(0.5), new CategoricalCrossentropy().compute(unnormalised, label, null), 1e-6);
    }

    @Test
    void probabilityGradientsMatchCentralDifferences() {
        Tensor p = Tensor.of(new float[] {0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f}, 2, 3);
        checkGradient(new CategoricalCrossentropy(), p, ONE_HOT);
        checkGradient(new SparseCategoricalCrossentropy(), p, SPARSE);
        Tensor probabilities = Tensor.of(new float[] {0.2f, 0.9f, 0.6f, 0.35f}, 2, 2);
        Tensor binary = Tensor.of(new float[] {0, 1, 1, 0}, 2, 2);
        checkGradient(new BinaryCrossentropy(), probabilities, binary);
        checkGradient(new MeanSquaredError(), Tensor.of(new float[] {0.5f, -1f, 2f, 3f}, 2, 2),
                Tensor.of(new float[] {1f, 1f, 0f, 3.5f}, 2, 2));
        // By hand: binary_crossentropy = -(log 0.8 + log 0.9 + log 0.6 + log 0.65) / 4.
        assertEquals(-(Math.log(0.8) + Math.log(0.9) + Math.log(0.6) + Math.log(0.65)) / 4,
                new BinaryCrossentropy().compute(probabilities, binary, null), 1e-6);
        // By hand: mse = (0.25 + 4 + 4 + 0.25) / 4.
        assertEquals(2.125, new MeanSquaredError().compute(Tensor.of(new float[] {0.5f, -1f, 2f, 3f}, 2, 2),
                Tensor.of(new float[] {1f, 1f, 0f, 3.5f}, 2, 2), null), 1e-7);
    }

    /** dL/dp from compute() against (L(p + h) - L(p - h)) / 2h per element. */
    private static void checkGradient(Loss loss, Tensor p, Tensor y) {
        Tensor g = Tensor.zeros(p.shape());
        loss.compute(p, y, g);
        for (int i = 0; i < p.size(); i++) {
            int index = i;
            double numeric = centralDifference(h -> {
                Tensor q = p.copy();
                q.data().put(index, (float) (p.data().get(index) + h));
                return loss.compute(q, y, null);
            }, 1e-3);
            assertEquals(numeric, g.data().get(i), 2e-3 * Math.max(1, Math.abs(numeric)), loss.name() + " element " + i);
        }
    }

    static double centralDifference(DoubleUnaryOperator f, double h) {
        return (f.applyAsDouble(h) - f.applyAsDouble(-h)) / (2 * h);
    }

    /** Mean cross-entropy of softmax(z) in double: (1/N) sum_n (lse(z_n) - sum_c y_nc z_nc). */
    private static double crossEntropyOfLogits(double[] z, float[] y, int classes) {
        return crossEntropyOfLogits(z, y, null, classes);
    }

    /** Its weighted form (1/N) sum_n w_n (lse(z_n) - sum_c y_nc z_nc); all w_n = 1 for null weights. */
    static double crossEntropyOfLogits(double[] z, float[] y, float[] w, int classes) {
        double total = 0;
        int rows = z.length / classes;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, z[r * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[r * classes + c] - max);
            }
            double weight = w == null ? 1 : w[r];
            for (int c = 0; c < classes; c++) {
                total += weight * y[r * classes + c] * (max + Math.log(sum) - z[r * classes + c]);
            }
        }
        return total / rows;
    }

    @Test
    void fusedSoftmaxGradientIsPMinusYOverN() {
        double[] z = {0.3, -1.2, 2.0, 0.5, 0.5, -0.25};
        Tensor p = Tensor.zeros(2, 3);
        for (int i = 0; i < z.length; i++) {
            p.data().put(i, (float) z[i]);
        }
        ActivationFunction.SOFTMAX.forward(p);
        for (Loss loss : new Loss[] {new CategoricalCrossentropy(), new SparseCategoricalCrossentropy()}) {
            Tensor y = loss instanceof SparseCategoricalCrossentropy ? SPARSE : ONE_HOT;
            Tensor dp = Tensor.zeros(2, 3);
            double value = loss.computeFused(p, y, dp);
            Tensor dz = Tensor.zeros(2, 3);
            ActivationFunction.SOFTMAX.backward(null, p, dp, dz);
            assertEquals(crossEntropyOfLogits(z, ONE_HOT.toArray(), 3), value, 1e-6, loss.name());
            for (int i = 0; i < z.length; i++) {
                int index = i;
                double numeric = centralDifference(h -> {
                    double[] zz = z.clone();
                    zz[index] += h;
                    return crossEntropyOfLogits(zz, ONE_HOT.toArray(), 3);
                }, 1e-5);
                double expected = (p.data().get(i) - ONE_HOT.data().get(i)) / 2.0;
                assertEquals(expected, dz.data().get(i), 1e-7, loss.name() + " (p - y)/N element " + i);
                assertEquals(numeric, dz.data().get(i), 1e-6, loss.name() + " finite difference element " + i);
            }
        }
    }

    @Test
    void fusedGradientStaysExactForAVeryWrongPrediction() {
        // The true class trails by 80: p_true = e^-80 = 1.8e-35. dL/dp = -1/p would be 5e34; the fused form
        // still gives dL/dz = (p - y)/N exactly, where an unfused clipped gradient would give 0 for the true class.
        Tensor p = Tensor.of(new float[] {80f, 0f, 0f}, 1, 3);
        ActivationFunction.SOFTMAX.forward(p);
        Tensor y = Tensor.of(new float[] {0, 1, 0}, 1, 3);
        Tensor dp = Tensor.zeros(1, 3);
        new CategoricalCrossentropy().computeFused(p, y, dp);
        Tensor dz = Tensor.zeros(1, 3);
        ActivationFunction.SOFTMAX.backward(null, p, dp, dz);
        assertEquals(1.0, dz.get(0, 0), 1e-6);
        assertEquals(-1.0, dz.get(0, 1), 1e-6);
        assertEquals(0.0, dz.get(0, 2), 1e-6);
        for (float v : dz.toArray()) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void labelsOfTheWrongSizeNameBothShapes() {
        Tensor p = Tensor.of(new float[] {0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f}, 2, 3);
        Tensor fourClasses = Tensor.zeros(2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CategoricalCrossentropy().compute(p, fourClasses, null));
        assertTrue(e.getMessage().contains("(2, 4)") && e.getMessage().contains("(2, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SparseCategoricalCrossentropy().compute(p, Tensor.zeros(2, 3), null));
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(2,)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SparseCategoricalCrossentropy().compute(p, Tensor.of(new float[] {1, 3}, 2), null));
        assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Loss.get("hinge"));
        assertEquals("mean_squared_error", Loss.get("mse").name());
    }
}
