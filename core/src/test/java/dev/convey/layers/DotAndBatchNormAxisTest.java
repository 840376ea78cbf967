package dev.convey.layers;

import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/** Keras 3's Dot (batch_dot, normalize) and BatchNormalization on an axis other than the last. */
class DotAndBatchNormAxisTest {

    private static final double TOLERANCE = 2e-3;

    private static Tensor arange(float from, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, from + i);
        }
        return t;
    }

    /** out[n, I, J] = sum_k x[n, I with k at a] y[n, J with k at b], by explicit index loops over rank-3 inputs. */
    private static double[] naiveBatchDot(Tensor x, Tensor y, int a, int b) {
        int n = x.dim(0);
        int[] sx = {x.dim(1), x.dim(2)};
        int[] sy = {y.dim(1), y.dim(2)};
        int k = sx[a - 1];
        int p = sx[2 - a];
        int q = sy[2 - b];
        double[] out = new double[n * p * q];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    double sum = 0;
                    for (int t = 0; t < k; t++) {
                        float xv = a == 1 ? x.get(s, t, i) : x.get(s, i, t);
                        float yv = b == 1 ? y.get(s, t, j) : y.get(s, j, t);
                        sum += (double) xv * yv;
                    }
                    out[(s * p + i) * q + j] = sum;
                }
            }
        }
        return out;
    }

    @Test
    void dotMatchesKerasDocumentedExample() {
        // keras.layers.Dot(axes=(1, 2))([arange(10).reshape(1, 5, 2), arange(10, 20).reshape(1, 2, 5)])
        Tensor y = new Dot(new int[] {1, 2}, false).forward(new Tensor[] {arange(0, 1, 5, 2), arange(10, 1, 2, 5)}, false);
        assertArrayEquals(new int[] {1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {260, 360, 320, 445}, y.toArray());
    }

    @Test
    void dotOfEveryAxisPairEqualsTheIndexLoops() {
        Tensor x = uniform(1, 2, 3, 4);
        for (int a = 1; a <= 2; a++) {
            for (int b = 1; b <= 2; b++) {
                int k = x.dim(a);
                Tensor y = b == 1 ? uniform(2, 2, k, 5) : uniform(2, 2, 5, k);
                Tensor out = new Dot(new int[] {a, b}, false).forward(new Tensor[] {x, y}, false);
                TestTensors.assertClose(naiveBatchDot(x, y, a, b), new int[] {2, 7 - k, 5}, out, 1e-6, "axes " + a + "," + b);
            }
        }
    }

    @Test
    void dotOfVectorsIsBatchByOneAndNegativeAxesCountFromTheEnd() {
        Tensor x = uniform(3, 4, 6);
        Tensor y = uniform(4, 4, 6);
        Tensor out = new Dot(-1).forward(new Tensor[] {x, y}, false);
        assertArrayEquals(new int[] {4, 1}, out.shape());
        for (int n = 0; n < 4; n++) {
            double s = 0;
            for (int i = 0; i < 6; i++) {
                s += x.get(n, i) * y.get(n, i);
            }
            assertEquals(s, out.get(n, 0), 1e-6);
        }
        // (2, 3, 5) and (2, 10, 3) with axes (1, 2): (2, 5, 10), the docstring's shapes
        Layer d = new Dot(new int[] {1, 2}, false);
        assertArrayEquals(new int[] {5, 10}, d.build(new int[] {3, 5}, new int[] {10, 3}));
        // a vector against a matrix: (batch, 20) . (batch, 30, 20) on (1, 2) gives (batch, 30)
        assertArrayEquals(new int[] {30}, new Dot(new int[] {1, 2}, false).build(new int[] {20}, new int[] {30, 20}));
    }

    @Test
    void normalizedDotIsTheCosineAndAZeroVectorGivesZero() {
        Tensor x = Tensor.of(new float[] {3, 4, 0, 0, 0, 0}, 2, 3);
        Tensor y = Tensor.of(new float[] {4, 3, 0, 1, 2, 2}, 2, 3);
        Tensor out = new Dot(new int[] {1}, true).forward(new Tensor[] {x, y}, false);
        assertEquals(24.0 / 25, out.get(0, 0), 1e-6);
        assertEquals(0.0, out.get(1, 0), 0.0);
    }

    @Test
    void dotRefusesMismatchedAxesAndTheBatchAxis() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dot(new int[] {1, 1}, false).build(new int[] {3, 4}, new int[] {5, 4}));
        assertTrue(e.getMessage().contains("axis 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dot(0).build(new int[] {3}, new int[] {3}));
        assertThrows(IllegalArgumentException.class, () -> new Dot(new int[] {1, 2, 3}, false));
    }

    @Test
    void dotGradientsMatchFiniteDifferences() {
        GradientCheck.of(new Dot(new int[] {1, 2}, false)).inputs(uniform(5, 2, 3, 4), uniform(6, 2, 5, 3)).assertMatches(TOLERANCE);
        GradientCheck.of(new Dot(new int[] {2, 1}, true)).inputs(uniform(7, 2, 3, 4), uniform(8, 2, 4, 5)).assertMatches(TOLERANCE);
        // normalize is curved: a smaller step keeps the central difference's h^2 term below the tolerance
        GradientCheck.of(new Dot(new int[] {-1}, true)).inputs(uniform(9, 3, 5), uniform(10, 3, 5)).step(2e-3).assertMatches(TOLERANCE);
        GradientCheck.of(new Dot(new int[] {1, 2}, true)).inputs(uniform(11, 2, 4), uniform(12, 2, 3, 4)).assertMatches(TOLERANCE);
    }

    @Test
    void dotConfigIsKeras() {
        assertEquals(List.of(1, 2), new Dot(new int[] {1, 2}, true).getConfig().get("axes"));
        assertEquals(-1, new Dot(-1).getConfig().get("axes"));
        assertEquals(true, new Dot(new int[] {1, 2}, true).getConfig().get("normalize"));
    }

    // ---------------------------------------------------------------- BatchNormalization(axis)

    /** y = (x - mu_c) / sqrt(var_c + eps) * gamma_c + beta_c with c the index along Keras axis 1 of (N, C, H, W). */
    @Test
    void batchNormOnAxisOneFollowsTheFormulaPerChannel() {
        BatchNormalization bn = new BatchNormalization().axis(1).epsilon(0.01);
        Tensor x = uniform(13, 2, 3, 4, 5);
        bn.build(new int[] {3, 4, 5});
        assertArrayEquals(new int[] {3}, bn.gamma().value().shape());
        TestTensors.randomizeWeights(bn, 3);
        float[] var = bn.movingVariance().value().toArray();
        for (int c = 0; c < 3; c++) {
            var[c] = Math.abs(var[c]) + 0.5f;
        }
        bn.movingVariance().assign(Tensor.of(var, 3));
        Tensor y = bn.forward(x);
        for (int i = 0; i < x.size(); i++) {
            int c = (i / 20) % 3;
            double expected = (x.data().get(i) - bn.movingMean().value().data().get(c)) / Math.sqrt(var[c] + 0.01)
                    * bn.gamma().value().data().get(c) + bn.beta().value().data().get(c);
            assertEquals(expected, y.data().get(i), 1e-5);
        }
        assertNull(bn.epilogueStep(), "only the channel axis folds into a convolution");
        assertEquals(1, bn.getConfig().get("axis"));
        // training: the batch statistics over (N, H, W) of each index of axis 1
        Tensor t = bn.forward(new Tensor[] {x}, true);
        for (int c = 0; c < 3; c++) {
            double mean = 0;
            double sq = 0;
            for (int i = 0; i < x.size(); i++) {
                if ((i / 20) % 3 == c) {
                    mean += t.data().get(i);
                    sq += t.data().get(i) * t.data().get(i);
                }
            }
            mean /= 40;
            double gamma = bn.gamma().value().data().get(c);
            double beta = bn.beta().value().data().get(c);
            assertEquals(beta, mean, 1e-5);
            assertEquals(gamma * gamma * 1 / (1 + 0.01 / variance(x, c)), sq / 40 - mean * mean, 1e-4);
        }
    }

    private static double variance(Tensor x, int c) {
        double m = 0;
        double s = 0;
        for (int i = 0; i < x.size(); i++) {
            if ((i / 20) % 3 == c) {
                m += x.data().get(i);
                s += x.data().get(i) * x.data().get(i);
            }
        }
        m /= 40;
        return s / 40 - m * m;
    }

    @Test
    void batchNormOnAnotherAxisEqualsTheLastAxisNormOfTheTransposedInput() {
        Tensor x = uniform(14, 2, 3, 4);
        BatchNormalization middle = new BatchNormalization().axis(-2);
        middle.build(new int[] {3, 4});
        TestTensors.randomizeWeights(middle, 4);
        BatchNormalization last = new BatchNormalization();
        last.build(new int[] {4, 3});
        last.setWeights(middle.getWeights());
        Tensor xt = Tensor.zeros(2, 4, 3);
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    xt.set(x.get(n, i, j), n, j, i);
                }
            }
        }
        middle.snapshotTrainable();
        last.snapshotTrainable();
        Tensor a = middle.forward(new Tensor[] {x}, true);
        Tensor b = last.forward(new Tensor[] {xt}, true);
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(b.get(n, j, i), a.get(n, i, j), 1e-6);
                }
            }
        }
        assertArrayEquals(last.movingMean().value().toArray(), middle.movingMean().value().toArray(), 1e-7f);
    }

    @Test
    void batchNormOnAnotherAxisGradientsMatchFiniteDifferences() {
        for (int axis : new int[] {1, 2}) {
            for (boolean training : new boolean[] {false, true}) {
                BatchNormalization bn = new BatchNormalization().axis(axis).momentum(1.0);
                Tensor x = uniform(15 + axis, 2, 3, 4, 2);
                bn.build(Shapes.withoutBatch(x.shape()));
                TestTensors.randomizeWeights(bn, 5);
                float[] var = bn.movingVariance().value().toArray();
                for (int c = 0; c < var.length; c++) {
                    var[c] = Math.abs(var[c]) + 0.5f;
                }
                bn.movingVariance().assign(Tensor.of(var, var.length));
                GradientCheck.of(bn).inputs(x).training(training).assertMatches(TOLERANCE);
            }
        }
    }

    @Test
    void batchNormRefusesTheBatchAxisAndAnAxisBeyondTheInput() {
        assertThrows(IllegalArgumentException.class, () -> new BatchNormalization().axis(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BatchNormalization().axis(4).build(new int[] {3, 4}));
        assertTrue(e.getMessage().contains("axis 4"), e.getMessage());
    }
}
