package dev.convey.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.data.ArraySequence;
import dev.convey.layers.ActivationFunction;
import dev.convey.layers.Dense;
import dev.convey.layers.Layer;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;

/**
 * Keras' sample_weight and class_weight: the weighted loss against its formula (1/N) sum_n w_n l_n with l_n the
 * loss of sample n alone, the weighted gradients against central differences (plain and softmax-fused), the
 * class-to-sample conversion as Keras' class_weight_to_sample_weights, "balanced" as scikit-learn's, and fit:
 * weights of 2 on every class train as a doubled SGD rate, a weight of 0 removes samples but keeps the 1/N.
 */
class SampleWeightTest {

    private static final Tensor P = Tensor.of(new float[] {0.2f, 0.7f, 0.1f, 0.5f, 0.25f, 0.25f, 0.1f, 0.3f, 0.6f}, 3, 3);
    private static final Tensor ONE_HOT = Tensor.of(new float[] {0, 1, 0, 1, 0, 0, 0, 0, 1}, 3, 3);
    private static final Tensor SPARSE = Tensor.of(new float[] {1, 0, 2}, 3);
    private static final Tensor W = Tensor.of(new float[] {2f, 0.5f, 0f}, 3);

    /** (1/N) sum_n w_n l_n, each l_n the unweighted loss of the one-sample batch n. */
    private static double formula(Loss loss, Tensor p, Tensor y, Tensor w) {
        int n = p.dim(0);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += w.data().get(i) * loss.compute(p.batchSlice(i, 1), y.batchSlice(i, 1), null);
        }
        return total / n;
    }

    private static Loss[] losses() {
        return new Loss[] {new CategoricalCrossentropy(), new SparseCategoricalCrossentropy(), new BinaryCrossentropy(),
                new MeanSquaredError()};
    }

    private static Tensor labels(Loss loss) {
        return loss instanceof SparseCategoricalCrossentropy ? SPARSE : ONE_HOT;
    }

    @Test
    void weightedLossIsTheMeanOverTheBatchOfWeightedSampleLosses() {
        // By hand: (2 (-log 0.7) + 0.5 (-log 0.5) + 0 (-log 0.6)) / 3, the divisor N = 3, not the weights' sum.
        double byHand = (2 * -Math.log(0.7) + 0.5 * -Math.log(0.5)) / 3;
        assertEquals(byHand, new CategoricalCrossentropy().compute(P, ONE_HOT, W, null), 1e-7);
        assertEquals(byHand, new SparseCategoricalCrossentropy().compute(P, SPARSE, W, null), 1e-7);
        for (Loss loss : losses()) {
            assertEquals(formula(loss, P, labels(loss), W), loss.compute(P, labels(loss), W, null), 1e-7, loss.name());
            // All ones is the unweighted loss; (N, 1) weights are accepted as Keras squeezes them.
            assertEquals(loss.compute(P, labels(loss), null), loss.compute(P, labels(loss),
                    Tensor.of(new float[] {1, 1, 1}, 3, 1), null), 1e-12, loss.name());
        }
        // A sample of several rows ((N, 2, classes): segmentation-like): its weight covers all its rows.
        Tensor p2 = Tensor.of(new float[] {0.2f, 0.8f, 0.6f, 0.4f, 0.9f, 0.1f, 0.3f, 0.7f}, 2, 2, 2);
        Tensor y2 = Tensor.of(new float[] {0, 1, 1, 0, 0, 1, 1, 0}, 2, 2, 2);
        Tensor w2 = Tensor.of(new float[] {3f, 1f}, 2);
        double expected = (3 * (-Math.log(0.8) - Math.log(0.6)) / 2 + (-Math.log(0.1) - Math.log(0.3)) / 2) / 2;
        assertEquals(expected, new CategoricalCrossentropy().compute(p2, y2, w2, null), 1e-6);
    }

    @Test
    void weightedGradientsMatchCentralDifferences() {
        for (Loss loss : losses()) {
            Tensor y = labels(loss);
            Tensor g = Tensor.zeros(P.shape());
            loss.compute(P, y, W, g);
            for (int i = 0; i < P.size(); i++) {
                int index = i;
                double numeric = LossTest.centralDifference(h -> {
                    Tensor q = P.copy();
                    q.data().put(index, (float) (P.data().get(index) + h));
                    return loss.compute(q, y, W, null);
                }, 1e-3);
                assertEquals(numeric, g.data().get(i), 2e-3 * Math.max(1, Math.abs(numeric)), loss.name() + " element " + i);
            }
        }
    }

    @Test
    void fusedWeightedGradientIsWTimesPMinusYOverN() {
        double[] z = {0.3, -1.2, 2.0, 0.5, 0.5, -0.25, -0.7, 0.1, 1.4};
        Tensor p = Tensor.zeros(3, 3);
        for (int i = 0; i < z.length; i++) {
            p.data().put(i, (float) z[i]);
        }
        ActivationFunction.SOFTMAX.forward(p);
        for (Loss loss : new Loss[] {new CategoricalCrossentropy(), new SparseCategoricalCrossentropy()}) {
            Tensor dp = Tensor.zeros(3, 3);
            double value = loss.computeFused(p, labels(loss), W, dp);
            Tensor dz = Tensor.zeros(3, 3);
            ActivationFunction.SOFTMAX.backward(null, p, dp, dz);
            assertEquals(LossTest.crossEntropyOfLogits(z, ONE_HOT.toArray(), W.toArray(), 3), value, 1e-6, loss.name());
            for (int i = 0; i < z.length; i++) {
                int index = i;
                double numeric = LossTest.centralDifference(h -> {
                    double[] zz = z.clone();
                    zz[index] += h;
                    return LossTest.crossEntropyOfLogits(zz, ONE_HOT.toArray(), W.toArray(), 3);
                }, 1e-5);
                double expected = W.data().get(i / 3) * (p.data().get(i) - ONE_HOT.data().get(i)) / 3.0;
                assertEquals(expected, dz.data().get(i), 1e-7, loss.name() + " w (p - y)/N element " + i);
                assertEquals(numeric, dz.data().get(i), 1e-6, loss.name() + " finite difference element " + i);
            }
        }
    }

    @Test
    void badSampleWeightsAreRefusedWithTheSampleNamed() {
        Loss loss = new CategoricalCrossentropy();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(P, ONE_HOT, Tensor.of(new float[] {1, 1}, 2), null));
        assertTrue(e.getMessage().contains("(2,)") && e.getMessage().contains("3 samples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(P, ONE_HOT, Tensor.of(new float[] {1, -1, 1}, 3), null));
        assertTrue(e.getMessage().contains("sample 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(P, ONE_HOT, Tensor.of(new float[] {1, 1, Float.NaN}, 3), null));
        assertTrue(e.getMessage().contains("sample 2"), e.getMessage());
    }

    @Test
    void classWeightsBecomeSampleWeightsAsInKeras() {
        Map<Integer, Double> cw = Map.of(0, 0.25, 2, 4.0);
        // One-hot: argmax (class 1 is not in the dict: weight 1).
        assertEquals(List.of(1f, 0.25f, 4f), list(ClassWeights.sampleWeights(ONE_HOT, cw)));
        // Integer labels (N,) and (N, 1) are rounded: 1.9 is class 2, 0.2 class 0.
        assertEquals(List.of(1f, 0.25f, 4f), list(ClassWeights.sampleWeights(SPARSE, cw)));
        assertEquals(List.of(4f, 0.25f), list(ClassWeights.sampleWeights(Tensor.of(new float[] {1.9f, 0.2f}, 2, 1), cw)));
        // scikit-learn's compute_class_weight("balanced", classes=[0, 1, 2], y=[0, 0, 0, 1, 2, 2]):
        // 6 / (3 * [3, 1, 2]) = [0.6667, 2, 1].
        Map<Integer, Double> balanced = ClassWeights.balanced(new int[] {0, 0, 0, 1, 2, 2}, 3);
        assertEquals(2.0 / 3, balanced.get(0), 1e-15);
        assertEquals(2.0, balanced.get(1), 1e-15);
        assertEquals(1.0, balanced.get(2), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassWeights.balanced(new int[] {0, 0, 2}, 3));
        assertTrue(e.getMessage().contains("class 1 has no samples"), e.getMessage());
    }

    private static List<Float> list(Tensor t) {
        List<Float> out = new java.util.ArrayList<>();
        for (float v : t.toArray()) {
            out.add(v);
        }
        return out;
    }

    /** A softmax classifier on 5 features (no BatchNormalization: the batch's composition does not matter). */
    private static Model classifier() {
        Layer.setRandomSeed(3);
        SymbolicTensor in = Input.of(5);
        SymbolicTensor out = new Dense(3).activation("softmax").name("head").apply(in);
        return new Model(in, out, "classifier");
    }

    private static Tensor[] data(int n) {
        Random r = new Random(11);
        Tensor x = Tensor.zeros(n, 5);
        Tensor y = Tensor.zeros(n, 3);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 5; j++) {
                x.data().put(i * 5 + j, (float) r.nextGaussian());
            }
            y.set(1f, i, i % 3);
        }
        return new Tensor[] {x, y};
    }

    private static List<Tensor> fit(double lr, Tensor x, Tensor y, FitOptions.Builder options, double[] loss) {
        Model m = classifier();
        m.compile(new SGD(lr), "categorical_crossentropy", "accuracy");
        History h = m.fit(x, y, options.batchSize(x.dim(0)).epochs(3).shuffle(false).verbose(false).build());
        loss[0] = h.history().get("loss").get(0);
        return m.getWeights();
    }

    @Test
    void classWeightTwoIsADoubledLearningRateAndWeightZeroDropsSamplesButKeepsTheBatchSize() {
        Tensor[] d = data(9);
        double[] weightedLoss = new double[1];
        double[] plainLoss = new double[1];
        List<Tensor> weighted = fit(0.1, d[0], d[1], FitOptions.builder().classWeight(Map.of(0, 2.0, 1, 2.0, 2, 2.0)),
                weightedLoss);
        List<Tensor> doubledRate = fit(0.2, d[0], d[1], FitOptions.builder(), plainLoss);
        assertEquals(2 * plainLoss[0], weightedLoss[0], 1e-6, "the reported loss is the weighted mean");
        assertClose(doubledRate, weighted, 1e-6);

        // Class 2 weighs 0: the 6 other samples train alone, but the mean still divides by all 9 samples, so
        // it equals training on the 6 with the rate scaled by 6/9 (full batches, plain SGD).
        List<Tensor> dropped = fit(0.3, d[0], d[1], FitOptions.builder().classWeight(Map.of(2, 0.0)), weightedLoss);
        int[] keep = {0, 1, 3, 4, 6, 7};
        Tensor x6 = Tensor.zeros(6, 5);
        Tensor y6 = Tensor.zeros(6, 3);
        for (int k = 0; k < keep.length; k++) {
            x6.batchSlice(k, 1).copyFrom(d[0].batchSlice(keep[k], 1));
            y6.batchSlice(k, 1).copyFrom(d[1].batchSlice(keep[k], 1));
        }
        List<Tensor> subset = fit(0.3 * 6 / 9, x6, y6, FitOptions.builder(), plainLoss);
        assertClose(subset, dropped, 1e-6);
        assertEquals(plainLoss[0] * 6 / 9, weightedLoss[0], 1e-6);

        // sample_weight gives the same as the class weights it stands for.
        double[] sampleLoss = new double[1];
        List<Tensor> bySample = fit(0.3, d[0], d[1], FitOptions.builder().sampleWeight(
                ClassWeights.sampleWeights(d[1], Map.of(2, 0.0))), sampleLoss);
        assertClose(dropped, bySample, 0);
        assertThrows(IllegalArgumentException.class, () -> FitOptions.builder().classWeight(Map.of(0, 1.0))
                .sampleWeight(Tensor.zeros(9)).build());
        // A sequence's batches carry their sample weights, shuffled with them.
        Model m = classifier();
        m.compile(new SGD(0.3), "categorical_crossentropy");
        m.fit(new ArraySequence(d[0], d[1], ClassWeights.sampleWeights(d[1], Map.of(2, 0.0)), 9, true, 5), 3, null);
        assertClose(dropped, m.getWeights(), 1e-6);
    }

    private static void assertClose(List<Tensor> expected, List<Tensor> actual, double tolerance) {
        assertEquals(expected.size(), actual.size());
        for (int k = 0; k < expected.size(); k++) {
            for (int i = 0; i < expected.get(k).size(); i++) {
                assertEquals(expected.get(k).data().get(i), actual.get(k).data().get(i), tolerance, "weight " + k + "[" + i + "]");
            }
        }
    }
}
