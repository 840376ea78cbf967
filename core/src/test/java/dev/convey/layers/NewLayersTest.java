package dev.convey.layers;

import static dev.convey.layers.TestTensors.distinct;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/** The layers added for Keras 3 files: gradient checks, Keras' formulas written out directly, edge cases. */
class NewLayersTest {

    private static final double TOLERANCE = 2e-3;

    private static void check(Layer layer, Tensor... xs) {
        int[][] shapes = new int[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            shapes[i] = Shapes.withoutBatch(xs[i].shape());
        }
        layer.build(shapes);
        if (!layer.weights().isEmpty()) {
            TestTensors.randomizeWeights(layer, 11);
        }
        GradientCheck.of(layer).inputs(xs).training(true).assertMatches(TOLERANCE);
    }

    private static Tensor shifted(Tensor t, float by) {
        Tensor c = t.copy();
        for (int i = 0; i < c.size(); i++) {
            c.data().put(i, c.data().get(i) + by);
        }
        return c;
    }

    @Test
    void gradientChecks() {
        check(new LeakyReLU(0.3), distinct(1, 2, 3, 4));
        check(new ELU(0.7), distinct(2, 2, 3, 4));
        check(new PReLU(), distinct(3, 2, 3, 4));
        check(new PReLU(1, 2), distinct(4, 2, 3, 3, 2));
        check(new Softmax(1), uniform(5, 2, 4, 3));
        check(new Softmax(-1), uniform(6, 2, 3, 4));
        check(new Identity(), uniform(7, 2, 5));
        check(new Subtract(), uniform(8, 2, 6), uniform(9, 2, 6));
        check(new Average(), uniform(10, 2, 6), uniform(11, 2, 6), uniform(12, 2, 6));
        check(new Maximum(), distinct(13, 2, 6), shifted(distinct(14, 2, 6), 0.0125f));
        check(new Minimum(), distinct(15, 2, 6), shifted(distinct(16, 2, 6), 0.0125f));
        check(new Cropping2D(new int[][] {{1, 0}, {2, 1}}), uniform(17, 2, 5, 6, 2));
        check(new UpSampling2D(2, 3), uniform(18, 1, 3, 2, 2));
        check(new UpSampling2D(new int[] {3, 2}, "bilinear"), uniform(19, 2, 3, 4, 2));
        check(new RepeatVector(3), uniform(20, 2, 4));
        check(new Permute(2, 3, 1), uniform(21, 2, 3, 4, 5));
        // GaussianNoise draws anew on every forward pass (no fixed function to difference): y - x is the noise,
        // and dL/dx = dL/dy whatever was drawn
        GaussianNoise noise = new GaussianNoise(0.5, 1L);
        Tensor x = uniform(22, 2, 4);
        noise.forward(new Tensor[] {x}, true);
        Tensor dy = uniform(23, 2, 4);
        assertArrayEquals(dy.toArray(), noise.backward(dy, new boolean[] {true}, true)[0].toArray());
    }

    @Test
    void leakyReluEluPreluFollowKerasFormulas() {
        Tensor x = Tensor.of(new float[] {-2f, -0.5f, 0f, 1.5f}, 1, 4);
        assertArrayEquals(new float[] {-0.6f, -0.15f, 0f, 1.5f}, new LeakyReLU().forward(x).toArray(), 1e-7f);
        assertArrayEquals(new float[] {(float) (0.7 * Math.expm1(-2)), (float) (0.7 * Math.expm1(-0.5)), 0f, 1.5f},
                new ELU(0.7).forward(x).toArray(), 1e-7f);
        PReLU p = new PReLU();
        p.build(new int[] {4});
        p.alpha().assign(Tensor.of(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 4));
        assertArrayEquals(new float[] {-0.2f, -0.1f, 0f, 1.5f}, p.forward(x).toArray(), 1e-7f);
        PReLU shared = new PReLU(1, 2);
        shared.build(new int[] {2, 2, 3});
        assertArrayEquals(new int[] {1, 1, 3}, shared.alpha().value().shape());
    }

    @Test
    void softmaxOnAnAxisNormalisesThatAxis() {
        Tensor x = uniform(30, 2, 3, 4);
        Tensor y = new Softmax(1).forward(x);
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 4; j++) {
                double sum = 0;
                double[] e = new double[3];
                for (int i = 0; i < 3; i++) {
                    e[i] = Math.exp(x.data().get((b * 3 + i) * 4 + j));
                    sum += e[i];
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals(e[i] / sum, y.data().get((b * 3 + i) * 4 + j), 1e-7);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Softmax(0));
    }

    @Test
    void mergesFollowTheirFormulas() {
        Tensor a = Tensor.of(new float[] {1, -2, 3}, 1, 3);
        Tensor b = Tensor.of(new float[] {0.5f, 4, -1}, 1, 3);
        assertArrayEquals(new float[] {0.5f, -6, 4}, new Subtract().forward(new Tensor[] {a, b}, false).toArray());
        assertArrayEquals(new float[] {0.75f, 1, 1}, new Average().forward(new Tensor[] {a, b}, false).toArray());
        assertArrayEquals(new float[] {1, 4, 3}, new Maximum().forward(new Tensor[] {a, b}, false).toArray());
        assertArrayEquals(new float[] {0.5f, -2, -1}, new Minimum().forward(new Tensor[] {a, b}, false).toArray());
        Subtract three = new Subtract();
        assertThrows(IllegalArgumentException.class, () -> three.build(new int[][] {{3}, {3}, {3}}));
    }

    @Test
    void croppingIsAsymmetric() {
        Tensor x = Tensor.zeros(1, 4, 5, 1);
        for (int i = 0; i < 20; i++) {
            x.data().put(i, i);
        }
        Tensor y = new Cropping2D(new int[][] {{1, 2}, {0, 3}}).forward(x);
        assertArrayEquals(new int[] {1, 1, 2, 1}, y.shape());
        assertArrayEquals(new float[] {5, 6}, y.toArray());
    }

    @Test
    void upSamplingNearestRepeatsAndBilinearUsesHalfPixelCentres() {
        Tensor x = Tensor.of(new float[] {0, 1}, 1, 1, 2, 1);
        assertArrayEquals(new float[] {0, 0, 1, 1}, new UpSampling2D(1, 2).forward(x).toArray());
        // tf.image.resize([0, 1], 4, bilinear, half_pixel_centers): [0, 0.25, 0.75, 1]
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, new UpSampling2D(new int[] {1, 2}, "bilinear").forward(x).toArray());
    }

    @Test
    void repeatVectorAndPermuteMoveValuesAsKeras() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Tensor p = new Permute(2, 1).forward(x);
        assertArrayEquals(new int[] {1, 3, 2}, p.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, p.toArray());
        Tensor r = new RepeatVector(2).forward(Tensor.of(new float[] {7, 8}, 1, 2));
        assertArrayEquals(new float[] {7, 8, 7, 8}, r.toArray());
        assertThrows(IllegalArgumentException.class, () -> new Permute(1, 1));
    }

    @Test
    void noiseLayersActOnlyWhileTrainingAndAreSeeded() {
        Tensor x = Tensor.full(2f, 4, 8, 8, 16);
        for (Layer l : new Layer[] {new GaussianNoise(0.3, 5L), new GaussianDropout(0.4, 5L), new SpatialDropout2D(0.5, 5L)}) {
            assertSame(x, l.forward(new Tensor[] {x}, false), l.describe() + " in inference");
        }
        Tensor a = new GaussianDropout(0.4, 5L).forward(new Tensor[] {x}, true).copy();
        Tensor b = new GaussianDropout(0.4, 5L).forward(new Tensor[] {x}, true);
        assertArrayEquals(a.toArray(), b.toArray(), "same seed, same noise");
        // GaussianDropout: m = y / x ~ N(1, rate / (1 - rate))
        double mean = 0;
        double sq = 0;
        for (float v : a.toArray()) {
            mean += v / 2.0;
            sq += (v / 2.0) * (v / 2.0);
        }
        mean /= a.size();
        double variance = sq / a.size() - mean * mean;
        assertEquals(1, mean, 0.03);
        assertEquals(0.4 / 0.6, variance, 0.05);
        // SpatialDropout2D: each (image, channel) map is all 0 or all 2 / (1 - 0.5) = 4
        SpatialDropout2D s = new SpatialDropout2D(0.5, 3L);
        Tensor y = s.forward(new Tensor[] {x}, true);
        int dropped = 0;
        for (int n = 0; n < 4; n++) {
            for (int c = 0; c < 16; c++) {
                float first = y.data().get(n * 64 * 16 + c);
                for (int p = 0; p < 64; p++) {
                    assertEquals(first, y.data().get((n * 64 + p) * 16 + c));
                }
                dropped += first == 0 ? 1 : 0;
                assertEquals(first == 0 ? 0 : 4, first);
            }
        }
        assertEquals(32, dropped, 10);
        Tensor g = s.backward(Tensor.full(1f, 4, 8, 8, 16), new boolean[] {true}, true)[0];
        assertArrayEquals(y.toArray(), scaled(g, 2f).toArray(), "dL/dx = dL/dy * m");
    }

    private static Tensor scaled(Tensor t, float k) {
        Tensor c = t.copy();
        for (int i = 0; i < c.size(); i++) {
            c.data().put(i, c.data().get(i) * k);
        }
        return c;
    }
}
