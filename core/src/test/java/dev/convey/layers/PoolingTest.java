package dev.convey.layers;

import static dev.convey.layers.TestTensors.assertClose;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

/** The poolings against naive loops written from TensorFlow's definitions. */
class PoolingTest {

    /**
     * Windowed max or mean over the real pixels only; 'same': out = ceil(in / s), padTop = max((out - 1)*s + k -
     * in, 0) / 2.
     */
    private static double[] naivePool(Tensor x, int[] k, int[] s, boolean same, boolean max, int[] outShape) {
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        int[] in = {h, w};
        int[] out = new int[2];
        int[] pad = new int[2];
        for (int a = 0; a < 2; a++) {
            out[a] = same ? (in[a] + s[a] - 1) / s[a] : (in[a] - k[a]) / s[a] + 1;
            pad[a] = same ? Math.max((out[a] - 1) * s[a] + k[a] - in[a], 0) / 2 : 0;
        }
        double[] y = new double[n * out[0] * out[1] * c];
        for (int img = 0; img < n; img++) {
            for (int oh = 0; oh < out[0]; oh++) {
                for (int ow = 0; ow < out[1]; ow++) {
                    for (int ch = 0; ch < c; ch++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int i = 0; i < k[0]; i++) {
                            for (int j = 0; j < k[1]; j++) {
                                int ih = oh * s[0] - pad[0] + i;
                                int iw = ow * s[1] - pad[1] + j;
                                if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                    double v = x.get(img, ih, iw, ch);
                                    acc = max ? Math.max(acc, v) : acc + v;
                                    count++;
                                }
                            }
                        }
                        y[((img * out[0] + oh) * out[1] + ow) * c + ch] = max ? acc : acc / count;
                    }
                }
            }
        }
        System.arraycopy(new int[] {n, out[0], out[1], c}, 0, outShape, 0, 4);
        return y;
    }

    @Test
    void windowedPoolsMatchNaiveLoops() {
        int seed = 0;
        for (int[] ks : new int[][] {{2, 2, 2, 2}, {3, 3, 2, 2}, {3, 3, 1, 1}, {2, 3, 3, 1}, {3, 2, 2, 3}}) {
            for (String padding : new String[] {"valid", "same"}) {
                for (int[] hw : new int[][] {{7, 7}, {8, 6}}) {
                    int[] k = {ks[0], ks[1]};
                    int[] s = {ks[2], ks[3]};
                    Tensor x = uniform(seed++, 2, hw[0], hw[1], 3);
                    String what = String.format("pool %dx%d strides %dx%d %s on %dx%d", k[0], k[1], s[0], s[1],
                            padding, hw[0], hw[1]);
                    int[] shape = new int[4];
                    double[] maxExpected = naivePool(x, k, s, padding.equals("same"), true, shape);
                    assertClose(maxExpected, shape, new MaxPooling2D(k).strides(s).padding(padding).forward(x), 1e-7,
                            "max " + what);
                    double[] avgExpected = naivePool(x, k, s, padding.equals("same"), false, shape);
                    assertClose(avgExpected, shape, new AveragePooling2D(k).strides(s).padding(padding).forward(x),
                            1e-6, "average " + what);
                }
            }
        }
    }

    @Test
    void sameAveragePoolingDividesByRealPixelsAtTheBorder() {
        // 3x3 image 1..9, 2x2 windows with stride 2, 'same': out 2x2, one padded row and column at the end.
        // TensorFlow: [[(1+2+4+5)/4, (3+6)/2], [(7+8)/2, 9/1]] = [[3, 4.5], [7.5, 9]].
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
        Tensor y = new AveragePooling2D(2).padding("same").forward(x);
        assertArrayEquals(new float[] {3f, 4.5f, 7.5f, 9f}, y.toArray());
        assertArrayEquals(new int[] {1, 2, 2, 1}, y.shape());
    }

    @Test
    void maxPoolingSendsTheGradientToTheFirstMaxOfEachWindow() {
        // One 2x2 window per channel. Channel 0 holds its max 5 twice (pixels 1 and 3): the first one gets the
        // gradient, as in TensorFlow. Channel 1 has a single max at pixel 2; channel 2 a NaN, which wins.
        Tensor x = Tensor.of(new float[] {1, 0, 0, 5, 1, 0, 2, 7, 0, 5, 2, Float.NaN}, 1, 2, 2, 3);
        MaxPooling2D pool = new MaxPooling2D(2);
        Tensor y = pool.forward(new Tensor[] {x}, true);
        assertArrayEquals(new float[] {5f, 7f, Float.NaN}, y.toArray());
        Tensor dx = pool.backward(Tensor.of(new float[] {10, 20, 30}, 1, 1, 1, 3), new boolean[] {true}, false)[0];
        assertArrayEquals(new float[] {0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30}, dx.toArray());
    }

    @Test
    void maxPoolingDefaultsToStridesEqualToPoolSize() {
        MaxPooling2D pool = new MaxPooling2D(3);
        assertArrayEquals(new int[] {3, 3}, pool.strides());
        Tensor y = pool.forward(uniform(1, 1, 9, 10, 2));
        assertArrayEquals(new int[] {1, 3, 3, 2}, y.shape());
    }

    @Test
    void globalPoolsMatchNaiveLoops() {
        Tensor x = uniform(3, 2, 4, 5, 3);
        double[] mean = new double[6];
        double[] max = new double[6];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 4; h++) {
                for (int w = 0; w < 5; w++) {
                    for (int c = 0; c < 3; c++) {
                        mean[n * 3 + c] += x.get(n, h, w, c) / 20.0;
                        max[n * 3 + c] = Math.max(max[n * 3 + c], x.get(n, h, w, c));
                    }
                }
            }
        }
        assertClose(mean, new int[] {2, 3}, new GlobalAveragePooling2D().forward(x), 1e-6, "global average");
        assertClose(max, new int[] {2, 3}, new GlobalMaxPooling2D().forward(x), 1e-7, "global max");
        assertClose(mean, new int[] {2, 1, 1, 3}, new GlobalAveragePooling2D().keepdims(true).forward(x), 1e-6,
                "global average keepdims");
    }
}
