package dev.convey.layers;

import static dev.convey.layers.TestTensors.assertClose;
import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

/** Dense, Flatten, ZeroPadding2D and the activations against naive loops. */
class DenseFlattenPaddingTest {

    @Test
    void denseIsXWPlusBThenActivationOnTheLastAxis() {
        Dense dense = new Dense(4).activation("softmax");
        Tensor x = uniform(1, 2, 3, 5);
        dense.build(new int[] {3, 5});
        randomizeWeights(dense, 2);
        Tensor w = dense.kernel().value();
        Tensor b = dense.bias().value();
        double[] expected = new double[2 * 3 * 4];
        for (int r = 0; r < 6; r++) {
            double sum = 0;
            for (int u = 0; u < 4; u++) {
                double z = b.get(u);
                for (int i = 0; i < 5; i++) {
                    z += (double) x.data().get(r * 5 + i) * w.get(i, u);
                }
                expected[r * 4 + u] = Math.exp(z);
                sum += expected[r * 4 + u];
            }
            for (int u = 0; u < 4; u++) {
                expected[r * 4 + u] /= sum;
            }
        }
        assertClose(expected, new int[] {2, 3, 4}, dense.forward(x), 1e-6, "Dense(4, softmax)");
        assertEquals(List.of("kernel", "bias"), dense.weights().stream().map(Parameter::name).toList());
        assertArrayEquals(new int[] {5, 4}, w.shape());
    }

    @Test
    void activationsMatchTheirFormulas() {
        Tensor x = uniform(3, 2, 6);
        // the first five; the others: ActivationFunctionTest
        for (ActivationFunction f : java.util.EnumSet.range(ActivationFunction.LINEAR, ActivationFunction.SOFTMAX)) {
            double[] expected = new double[12];
            for (int r = 0; r < 2; r++) {
                double sum = 0;
                for (int i = 0; i < 6; i++) {
                    double v = x.data().get(r * 6 + i);
                    expected[r * 6 + i] = switch (f) {
                        case LINEAR -> v;
                        case RELU -> Math.max(v, 0);
                        case SIGMOID -> 1 / (1 + Math.exp(-v));
                        case TANH -> Math.tanh(v);
                        case SOFTMAX -> Math.exp(v);
                        default -> throw new AssertionError(f);
                    };
                    sum += expected[r * 6 + i];
                }
                for (int i = 0; f == ActivationFunction.SOFTMAX && i < 6; i++) {
                    expected[r * 6 + i] /= sum;
                }
            }
            assertClose(expected, new int[] {2, 6}, new Activation(f.kerasName()).forward(x), 1e-6, f.kerasName());
        }
    }

    @Test
    void flattenKeepsNhwcOrder() {
        Tensor x = uniform(4, 2, 3, 4, 5);
        Tensor y = new Flatten().forward(x);
        assertArrayEquals(new int[] {2, 60}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 3; h++) {
                for (int w = 0; w < 4; w++) {
                    for (int c = 0; c < 5; c++) {
                        assertEquals(x.get(n, h, w, c), y.get(n, (h * 4 + w) * 5 + c));
                    }
                }
            }
        }
    }

    @Test
    void zeroPaddingInAllKerasForms() {
        Tensor x = uniform(5, 2, 3, 4, 2);
        int[][][] forms = {{{2, 2}, {2, 2}}, {{1, 1}, {3, 3}}, {{1, 2}, {0, 3}}};
        Layer[] layers = {new ZeroPadding2D(2), new ZeroPadding2D(new int[] {1, 3}),
            new ZeroPadding2D(new int[][] {{1, 2}, {0, 3}})};
        for (int f = 0; f < forms.length; f++) {
            int[][] p = forms[f];
            ZeroPadding2D layer = (ZeroPadding2D) layers[f];
            assertArrayEquals(p, layer.padding());
            int outH = 3 + p[0][0] + p[0][1];
            int outW = 4 + p[1][0] + p[1][1];
            double[] expected = new double[2 * outH * outW * 2];
            for (int n = 0; n < 2; n++) {
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 4; w++) {
                        for (int c = 0; c < 2; c++) {
                            expected[((n * outH + h + p[0][0]) * outW + w + p[1][0]) * 2 + c] = x.get(n, h, w, c);
                        }
                    }
                }
            }
            // Twice: the second call reuses the output buffer, whose padding must still be zero.
            layer.forward(x);
            assertClose(expected, new int[] {2, outH, outW, 2}, layer.forward(x), 0, "padding " + f);
        }
    }
}
