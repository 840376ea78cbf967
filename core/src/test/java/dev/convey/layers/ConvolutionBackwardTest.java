package dev.convey.layers;

import static dev.convey.layers.TestTensors.assertClose;
import static dev.convey.layers.TestTensors.doubles;
import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static dev.convey.layers.TestTensors.withProperty;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

/**
 * The backward passes of {@link Im2colConvolution} and {@link PointwiseConvolution} as the training step runs them
 * (a small map's products split over the cores, a 1x1 col2im as a scatter of rows, a large 1x1 map's dL/dW summed
 * over shares of the pixels) against the previous paths ({@code -Dconvey.conv.backwardReference=true}) to 1e-5 of
 * the largest value, and against the adjoint identities of the naive convolution
 * ({@link ReferenceConvolution#conv2d}, linear in x and in W): {@code <dz, conv(x', W)> = <dL/dx, x'>} and
 * {@code <dz, conv(x, W')> = <dL/dW, W'>}.
 */
class ConvolutionBackwardTest {

    @Test
    void backwardEqualsThePreviousPathAndTheAdjointOfTheNaiveConvolution() {
        // {batch, height, width, channels, filters, kernel, stride}
        int[][] cases = {
            {2, 9, 11, 5, 7, 1, 2}, {3, 13, 13, 16, 24, 1, 2}, {2, 8, 8, 6, 5, 1, 3},
            {3, 7, 7, 16, 20, 3, 1}, {2, 9, 10, 4, 6, 3, 2}, {2, 40, 40, 8, 6, 3, 2},
            {2, 24, 24, 12, 20, 1, 1}, {3, 5, 7, 9, 4, 1, 1},
        };
        int checked = 0;
        for (int[] c : cases) {
            for (String padding : new String[] {"valid", "same"}) {
                Conv2D conv = new Conv2D(c[4], c[5]).strides(c[6]).padding(padding).useBias(false);
                conv.algorithm(Conv2D.Algorithm.IM2COL);
                conv.build(new int[] {c[1], c[2], c[3]});
                randomizeWeights(conv, 10 + checked);
                Tensor x = uniform(20 + checked, c[0], c[1], c[2], c[3]);
                Tensor y = conv.forward(new Tensor[] {x}, true);
                Tensor dz = uniform(30 + checked, y.shape());
                String what = padding + " " + java.util.Arrays.toString(c);
                double[][] previous = withProperty(Im2colConvolution.BACKWARD_REFERENCE_PROPERTY, "true",
                        () -> new double[][] {doubles(conv.backward(dz, new boolean[] {true}, true)[0]),
                            doubles(conv.kernel().gradient())});
                double[] previousDx = previous[0];
                double[] previousDw = previous[1];
                Tensor dx = conv.backward(dz, new boolean[] {true}, true)[0];
                Tensor dw = conv.kernel().gradient();
                assertClose(previousDx, x.shape(), dx, 1e-5, "dL/dx against the previous path, " + what);
                assertClose(previousDw, dw.shape(), dw, 1e-5, "dL/dW against the previous path, " + what);
                Tensor otherX = uniform(40 + checked, x.shape());
                Tensor otherW = uniform(50 + checked, dw.shape());
                int[] s = {c[6], c[6]};
                int[] d = {1, 1};
                boolean same = padding.equals("same");
                int[] shape = new int[4];
                assertAdjoint(dot(dz, ReferenceConvolution.conv2d(otherX, conv.kernel().value(), null, s, d, same, shape)),
                        dot(dx, doubles(otherX)), "dL/dx, " + what);
                assertAdjoint(dot(dz, ReferenceConvolution.conv2d(x, otherW, null, s, d, same, shape)),
                        dot(dw, doubles(otherW)), "dL/dW, " + what);
                checked++;
            }
        }
        assertEquals(16, checked);
    }

    private static void assertAdjoint(double expected, double actual, String what) {
        double rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
        org.junit.jupiter.api.Assertions.assertTrue(rel <= 1e-5, what + ": " + actual + " vs " + expected);
    }

    private static double dot(Tensor a, double[] b) {
        double sum = 0;
        for (int i = 0; i < b.length; i++) {
            sum += a.data().get(i) * b[i];
        }
        return sum;
    }
}
