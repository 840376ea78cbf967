package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

/**
 * The squeeze-and-excitation path of EfficientNet on maps of many tiles (and, for the pooling, more than 16 of
 * them: its float partial sums are flushed into double): GlobalAveragePooling2D(keepdims) and the Multiply of a
 * map by a (1, 1, C) scale against naive loops in double, two images of 64 x 64 x 24 and one of 7 x 5 x 4100
 * (more channels than a tile's floats).
 */
class SqueezeExcitationLayersTest {

    @Test
    void poolingAndChannelScaleEqualNaiveLoops() {
        for (int[] shape : new int[][] {{2, 64, 64, 24}, {1, 7, 5, 4100}}) {
            int n = shape[0];
            int pixels = shape[1] * shape[2];
            int c = shape[3];
            Tensor x = TestTensors.uniform(1, shape);
            Tensor pooled = new GlobalAveragePooling2D().keepdims(true).forward(x);
            Tensor scale = TestTensors.uniform(2, n, 1, 1, c);
            Tensor y = new Multiply().forward(new Tensor[] {x, scale}, false);
            for (int image = 0; image < n; image++) {
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0;
                    for (int p = 0; p < pixels; p++) {
                        sum += x.data().get((image * pixels + p) * c + ch);
                    }
                    assertEquals(sum / pixels, pooled.data().get(image * c + ch), 1e-6, "mean of channel " + ch);
                }
                for (int i = image * pixels * c; i < (image + 1) * pixels * c; i++) {
                    float expected = x.data().get(i) * scale.data().get(image * c + i % c);
                    assertEquals(expected, y.data().get(i), 0f, "x * scale at " + i);
                }
            }
        }
    }
}
