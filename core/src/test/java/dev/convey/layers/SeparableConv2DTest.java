package dev.convey.layers;

import static dev.convey.layers.TestTensors.assertClose;
import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * SeparableConv2D equals its formula computed by naive loops (the depthwise loop of {@link ReferenceConvolution}, then
 * a plain triple loop for the pointwise sum, the bias and the activation), forward and backward to 1e-5, passes
 * the finite-difference check, and has Keras' weights (names, shapes, order) and config keys.
 */
class SeparableConv2DTest {

    /** filters, kernel, depth multiplier, strides, padding, dilation, bias, activation, input shape (N, H, W, C). */
    static Stream<Arguments> geometries() {
        return Stream.of(
                Arguments.of(4, new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {1, 1}, false, "linear", new int[] {2, 7, 6, 5}),
                Arguments.of(3, new int[] {3, 3}, 2, new int[] {2, 2}, "valid", new int[] {1, 1}, true, "relu", new int[] {2, 9, 8, 3}),
                Arguments.of(5, new int[] {3, 2}, 3, new int[] {2, 1}, "same", new int[] {1, 1}, true, "linear", new int[] {1, 7, 6, 2}),
                Arguments.of(2, new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {2, 2}, true, "tanh", new int[] {2, 8, 9, 3}),
                Arguments.of(6, new int[] {5, 5}, 1, new int[] {2, 2}, "same", new int[] {1, 1}, false, "linear", new int[] {1, 11, 10, 16}));
    }

    private static SeparableConv2D layer(int filters, int[] kernel, int m, int[] strides, String padding, int[] dilation,
                                         boolean bias, String activation) {
        return new SeparableConv2D(filters, kernel).depthMultiplier(m).strides(strides).padding(padding)
                .dilationRate(dilation).useBias(bias).activation(activation);
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void forwardAndBackwardEqualTheNaiveLoops(int filters, int[] kernel, int m, int[] strides, String padding,
                                              int[] dilation, boolean bias, String activation, int[] shape) {
        SeparableConv2D sep = layer(filters, kernel, m, strides, padding, dilation, bias, "linear");
        Tensor x = uniform(3, shape);
        sep.build(Shapes.withoutBatch(shape));
        randomizeWeights(sep, 11);
        Window2D g = Window2D.of(shape, kernel, strides, dilation, Padding.forName(padding, "test"));
        int pixels = g.outputPixels();
        int cm = shape[3] * m;
        float[] d = sep.depthwiseKernel().value().toArray();
        float[] p = sep.pointwiseKernel().value().toArray();
        float[] b = bias ? sep.bias().value().toArray() : new float[filters];

        // z = depthwise(x; D), y = z P + b
        float[] z = new float[pixels * cm];
        ReferenceConvolution.depthwise(g, m, x.toArray(), d, null, z);
        double[] y = new double[pixels * filters];
        for (int pix = 0; pix < pixels; pix++) {
            for (int f = 0; f < filters; f++) {
                double sum = b[f];
                for (int k = 0; k < cm; k++) {
                    sum += (double) z[pix * cm + k] * p[k * filters + f];
                }
                y[pix * filters + f] = sum;
            }
        }
        // the activation on top: the layer's own function, element by element
        sep.activation(activation);
        Tensor out = sep.forward(new Tensor[] {x}, true).copy();
        double[] expected = y.clone();
        ActivationFunction act = ActivationFunction.forName(activation);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = activation.equals("linear") ? y[i] : activation.equals("relu") ? Math.max(0, y[i]) : Math.tanh(y[i]);
        }
        assertEquals(act, sep.outputActivation());
        int[] outShape = {shape[0], g.outH(), g.outW(), filters};
        assertClose(expected, outShape, out, 1e-5, "forward");

        // backward of the linear layer: dP = z^T dy, db = sum dy, dz = dy P^T, then the depthwise loop
        sep.activation("linear");
        sep.forward(new Tensor[] {x}, true);
        Tensor dy = uniform(5, outShape);
        float[] dyv = dy.toArray();
        double[] dp = new double[cm * filters];
        double[] db = new double[filters];
        float[] dz = new float[pixels * cm];
        for (int pix = 0; pix < pixels; pix++) {
            for (int f = 0; f < filters; f++) {
                db[f] += dyv[pix * filters + f];
                for (int k = 0; k < cm; k++) {
                    dp[k * filters + f] += (double) z[pix * cm + k] * dyv[pix * filters + f];
                    dz[pix * cm + k] += dyv[pix * filters + f] * p[k * filters + f];
                }
            }
        }
        float[] dxExpected = new float[x.size()];
        float[] ddExpected = new float[d.length];
        ReferenceConvolution.depthwiseBackward(g, m, x.toArray(), d, dz, dxExpected, ddExpected);
        Tensor dx = sep.backward(dy, new boolean[] {true}, true)[0];
        assertClose(toDouble(dxExpected), x.shape(), dx, 1e-5, "dL/dx");
        assertClose(toDouble(ddExpected), sep.depthwiseKernel().value().shape(), sep.depthwiseKernel().gradient(), 1e-5,
                "dL/dD");
        assertClose(dp, sep.pointwiseKernel().value().shape(), sep.pointwiseKernel().gradient(), 1e-5, "dL/dP");
        if (bias) {
            assertClose(db, new int[] {filters}, sep.bias().gradient(), 1e-5, "dL/db");
        }
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void gradientCheck(int filters, int[] kernel, int m, int[] strides, String padding, int[] dilation, boolean bias,
                       String activation, int[] shape) {
        // relu's kink is not differentiable: its gradient is checked on the linear layer (the same code path)
        SeparableConv2D sep = layer(filters, kernel, m, strides, padding, dilation, bias,
                activation.equals("relu") ? "linear" : activation);
        sep.build(Shapes.withoutBatch(shape));
        randomizeWeights(sep, 7);
        // A linear layer's central difference is exact at any step: a large one keeps the float32 rounding of the
        // two sums in a row (up to 25 taps, then up to 48 channels) far below the tolerance.
        GradientCheck.of(sep).inputs(uniform(2, shape)).training(true).maxChecksPerTensor(100)
                .step(sep.activation() == ActivationFunction.LINEAR ? 0.1 : 1e-2)
                .assertMatches(LayerGradientTest.TOLERANCE);
    }

    @Test
    void onlyWeightGradientsOrOnlyTheInputGradient() {
        SeparableConv2D sep = new SeparableConv2D(3, 3).padding("same");
        sep.build(new int[] {5, 5, 2});
        randomizeWeights(sep, 5);
        Tensor x = uniform(1, 2, 5, 5, 2);
        Tensor dy = uniform(2, 2, 5, 5, 3);
        sep.forward(new Tensor[] {x}, true);
        Tensor dx = sep.backward(dy, new boolean[] {true}, true)[0].copy();
        float[] dd = sep.depthwiseKernel().gradient().toArray();
        sep.forward(new Tensor[] {x}, true);
        assertNull(sep.backward(dy, new boolean[] {false}, true)[0]);
        assertArrayEquals(dd, sep.depthwiseKernel().gradient().toArray(), 0f);
        sep.forward(new Tensor[] {x}, true);
        assertArrayEquals(dx.toArray(), sep.backward(dy, new boolean[] {true}, false)[0].toArray(), 0f);
    }

    @Test
    void weightsAndConfigAreKeras() {
        SeparableConv2D sep = new SeparableConv2D(8, 3).depthMultiplier(2).strides(2).padding("same");
        sep.name("block2_sepconv1");
        assertArrayEquals(new int[] {4, 4, 8}, sep.build(new int[] {7, 7, 3}));
        List<Parameter> w = sep.weights();
        assertEquals(List.of("block2_sepconv1/depthwise_kernel:0", "block2_sepconv1/pointwise_kernel:0",
                "block2_sepconv1/bias:0"), w.stream().map(Parameter::fullName).toList());
        assertArrayEquals(new int[] {3, 3, 3, 2}, w.get(0).value().shape());
        assertArrayEquals(new int[] {1, 1, 6, 8}, w.get(1).value().shape());
        assertArrayEquals(new int[] {8}, w.get(2).value().shape());
        assertEquals(3 * 3 * 3 * 2 + 6 * 8 + 8, sep.countParams());
        assertEquals("SeparableConv2D", sep.className());
        assertEquals(List.of("name", "trainable", "dtype", "depth_multiplier", "filters", "kernel_size", "strides",
                "padding", "data_format", "dilation_rate", "activation", "use_bias"), List.copyOf(sep.getConfig().keySet()));
        SeparableConv2D noBias = new SeparableConv2D(4, 3).useBias(false);
        noBias.build(new int[] {5, 5, 3});
        assertEquals(2, noBias.weights().size());
        assertTrue(noBias.name().startsWith("separable_conv2d"), noBias.name());
    }

    @Test
    void itsStepsTakeNoKerasAutomaticName() {
        String before = new DepthwiseConv2D(3).name();
        new SeparableConv2D(4, 3).build(new int[] {5, 5, 3});
        int n = before.equals("depthwise_conv2d") ? 0 : Integer.parseInt(before.substring(before.lastIndexOf('_') + 1));
        assertEquals("depthwise_conv2d_" + (n + 1), new DepthwiseConv2D(3).name());
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new SeparableConv2D(4, 3).strides(2).dilationRate(2));
        assertThrows(IllegalArgumentException.class, () -> new SeparableConv2D(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new SeparableConv2D(4, 3).depthMultiplier(0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SeparableConv2D(4, 3).build(new int[] {5, 5, -1}))
                .getMessage().contains("channel axis"));
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
