package dev.convey.layers;

import static dev.convey.layers.TestTensors.assertClose;
import static dev.convey.layers.TestTensors.distinct;
import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * DepthwiseConv2D equals the naive loop of {@link ReferenceConvolution#depthwise} (forward and backward, to 1e-5), passes the
 * finite-difference check, and the new activation-like layers (ReLU, Rescaling, Normalization, Multiply,
 * Reshape) pass theirs and match their formulas.
 */
class DepthwiseConv2DTest {

    /** kernel, depth multiplier, strides, padding, dilation, bias, input shape (N, H, W, C). */
    static Stream<Arguments> geometries() {
        return Stream.of(
                Arguments.of(new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {1, 1}, false, new int[] {2, 7, 6, 5}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {2, 2}, "valid", new int[] {1, 1}, true, new int[] {3, 9, 8, 4}),
                Arguments.of(new int[] {3, 2}, 2, new int[] {2, 1}, "same", new int[] {1, 1}, true, new int[] {2, 7, 6, 3}),
                Arguments.of(new int[] {3, 3}, 3, new int[] {1, 1}, "valid", new int[] {1, 1}, true, new int[] {1, 6, 6, 2}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {2, 2}, true, new int[] {2, 8, 9, 3}),
                Arguments.of(new int[] {5, 5}, 1, new int[] {2, 2}, "same", new int[] {1, 1}, false, new int[] {1, 11, 10, 16}));
    }

    /**
     * More geometries for the comparison with the naive loop only (no finite differences): strides along one axis or
     * by 3, even kernels under 'same', dilation with a multiplier, rows of several blocks, more output channels
     * than a block holds, a batch split over the cores.
     */
    static Stream<Arguments> moreGeometries() {
        return Stream.concat(Stream.concat(geometries(), Stream.of(
                Arguments.of(new int[] {3, 3}, 2, new int[] {1, 2}, "same", new int[] {1, 1}, true, new int[] {2, 5, 13, 3}),
                Arguments.of(new int[] {2, 2}, 1, new int[] {2, 2}, "same", new int[] {1, 1}, true, new int[] {1, 7, 7, 6}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {1, 1}, true, new int[] {3, 6, 40, 16}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {3, 3}, "valid", new int[] {1, 1}, false, new int[] {2, 10, 11, 600}),
                Arguments.of(new int[] {3, 3}, 2, new int[] {1, 1}, "same", new int[] {2, 3}, true, new int[] {1, 9, 10, 5}),
                Arguments.of(new int[] {1, 5}, 4, new int[] {2, 3}, "valid", new int[] {1, 1}, true, new int[] {2, 6, 17, 2}),
                Arguments.of(new int[] {5, 5}, 1, new int[] {1, 1}, "same", new int[] {3, 3}, false, new int[] {1, 8, 8, 4}),
                Arguments.of(new int[] {3, 3}, 3, new int[] {2, 2}, "same", new int[] {1, 1}, true, new int[] {5, 8, 9, 200}))),
                stripGeometries());
    }

    /**
     * DepthwiseForward's strips: maps of 1x1 to 7x7 (every column a border column, kernels wider than the map),
     * strips of one pixel (5x5 or dilated kernels on many channels), channel counts that are not a multiple of a
     * vector, strides 2 with 'same' padding, a multiplier with a stride, rows of several strips.
     */
    static Stream<Arguments> stripGeometries() {
        return Stream.of(
                Arguments.of(new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {1, 1}, true, new int[] {2, 1, 1, 37}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {2, 2}, "same", new int[] {1, 1}, false, new int[] {1, 2, 3, 37}),
                Arguments.of(new int[] {5, 5}, 1, new int[] {1, 1}, "same", new int[] {1, 1}, true, new int[] {1, 3, 3, 5}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {1, 1}, false, new int[] {3, 4, 4, 19}),
                Arguments.of(new int[] {5, 5}, 1, new int[] {1, 1}, "same", new int[] {1, 1}, false, new int[] {2, 7, 7, 200}),
                Arguments.of(new int[] {5, 5}, 1, new int[] {2, 2}, "same", new int[] {1, 1}, true, new int[] {1, 7, 7, 201}),
                Arguments.of(new int[] {5, 5}, 1, new int[] {2, 2}, "same", new int[] {1, 1}, false, new int[] {2, 14, 14, 33}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {2, 2}, true, new int[] {1, 5, 5, 190}),
                Arguments.of(new int[] {5, 5}, 2, new int[] {2, 2}, "same", new int[] {1, 1}, true, new int[] {1, 6, 7, 97}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {2, 2}, "valid", new int[] {1, 1}, false, new int[] {1, 6, 6, 3}),
                // stride 1 'valid' (dx by strips over the transposed geometry pads by kh - 1 on both sides)
                Arguments.of(new int[] {5, 3}, 1, new int[] {1, 1}, "valid", new int[] {1, 2}, true, new int[] {2, 9, 11, 7}),
                // rows of several strips (about 2048 floats each): the strips' borders inside the image
                Arguments.of(new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {1, 1}, true, new int[] {2, 4, 300, 16}),
                Arguments.of(new int[] {5, 5}, 1, new int[] {2, 2}, "same", new int[] {1, 1}, false, new int[] {1, 5, 300, 17}),
                Arguments.of(new int[] {3, 3}, 2, new int[] {2, 2}, "same", new int[] {1, 1}, true, new int[] {1, 3, 270, 9}),
                Arguments.of(new int[] {3, 3}, 1, new int[] {1, 1}, "same", new int[] {2, 2}, false, new int[] {1, 5, 300, 8}));
    }

    private static DepthwiseConv2D layer(int[] kernel, int m, int[] strides, String padding, int[] dilation, boolean bias) {
        return new DepthwiseConv2D(kernel).depthMultiplier(m).strides(strides).padding(padding)
                .dilationRate(dilation).useBias(bias);
    }

    @ParameterizedTest
    @MethodSource("moreGeometries")
    void forwardAndBackwardEqualTheNaiveLoop(int[] kernel, int m, int[] strides, String padding, int[] dilation,
                                             boolean bias, int[] shape) {
        DepthwiseConv2D dw = layer(kernel, m, strides, padding, dilation, bias);
        Tensor x = uniform(3, shape);
        dw.build(Shapes.withoutBatch(shape));
        randomizeWeights(dw, 11);
        Tensor y = dw.forward(new Tensor[] {x}, true).copy();

        Window2D g = Window2D.of(shape, kernel, strides, dilation, Padding.forName(padding, "test"));
        float[] expected = new float[y.size()];
        ReferenceConvolution.depthwise(g, m, x.toArray(), dw.kernel().value().toArray(),
                bias ? dw.bias().value().toArray() : null, expected);
        assertClose(toDouble(expected), y.shape(), y, 1e-5, "forward");

        Tensor dy = uniform(5, y.shape());
        Tensor dx = dw.backward(dy, new boolean[] {true}, true)[0];
        float[] dxExpected = new float[x.size()];
        float[] dkExpected = new float[dw.kernel().value().size()];
        ReferenceConvolution.depthwiseBackward(g, m, x.toArray(), dw.kernel().value().toArray(), dy.toArray(), dxExpected,
                dkExpected);
        assertClose(toDouble(dxExpected), x.shape(), dx, 1e-5, "dL/dx");
        assertClose(toDouble(dkExpected), dw.kernel().value().shape(), dw.kernel().gradient(), 1e-5, "dL/dK");
    }

    /**
     * A fused activation after the bias, backward without dx or without dK, and a second input shape through the
     * same layer (its workspaces resized), each against the naive loop.
     */
    @Test
    void activationPartialGradientsAndAnotherShapeEqualTheNaiveLoop() {
        DepthwiseConv2D dw = layer(new int[] {3, 3}, 2, new int[] {1, 1}, "same", new int[] {1, 1}, true).activation("relu");
        dw.build(new int[] {-1, -1, 3});
        randomizeWeights(dw, 5);
        for (int[] shape : new int[][] {{2, 6, 7, 3}, {1, 9, 4, 3}}) {
            Tensor x = uniform(8, shape);
            Tensor y = dw.forward(new Tensor[] {x}, true).copy();
            Window2D g = Window2D.of(shape, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, Padding.SAME);
            float[] z = new float[y.size()];
            ReferenceConvolution.depthwise(g, 2, x.toArray(), dw.kernel().value().toArray(), dw.bias().value().toArray(), z);
            double[] expected = new double[z.length];
            for (int i = 0; i < z.length; i++) {
                expected[i] = Math.max(0f, z[i]);
            }
            assertClose(expected, y.shape(), y, 1e-5, "relu(depthwise) for " + Shapes.toString(shape));

            Tensor dy = uniform(9, y.shape());
            float[] dz = dy.toArray();
            for (int i = 0; i < dz.length; i++) {
                dz[i] = z[i] > 0 ? dz[i] : 0f;
            }
            float[] dxExpected = new float[x.size()];
            float[] dkExpected = new float[dw.kernel().value().size()];
            ReferenceConvolution.depthwiseBackward(g, 2, x.toArray(), dw.kernel().value().toArray(), dz, dxExpected,
                    dkExpected);
            Tensor dx = dw.backward(dy, new boolean[] {true}, false)[0];
            assertClose(toDouble(dxExpected), x.shape(), dx, 1e-5, "dL/dx alone");
            assertTrue(dw.backward(dy, new boolean[] {false}, true)[0] == null, "no dL/dx asked for");
            assertClose(toDouble(dkExpected), dw.kernel().value().shape(), dw.kernel().gradient(), 1e-5, "dL/dK alone");
        }
    }

    /**
     * Inference with a folded batch norm, a residual and ReLU6 in the kernel's epilogue (forwardWithEpilogue, MobileNet's
     * dw -> bn -> relu6 with an Add as well), against the naive loop followed by those formulas; a backward pass after
     * it is refused (it needs a plain forward pass).
     */
    @ParameterizedTest
    @MethodSource("stripGeometries")
    void epilogueAfterTheNaiveLoop(int[] kernel, int m, int[] strides, String padding, int[] dilation, boolean bias,
                                   int[] shape) {
        DepthwiseConv2D dw = layer(kernel, m, strides, padding, dilation, bias);
        Tensor x = uniform(4, shape);
        int channels = shape[3] * m;
        dw.build(Shapes.withoutBatch(shape));
        randomizeWeights(dw, 12);
        Window2D g = Window2D.of(shape, kernel, strides, dilation, Padding.forName(padding, "test"));
        float[] z = new float[g.batch() * g.outH() * g.outW() * channels];
        ReferenceConvolution.depthwise(g, m, x.toArray(), dw.kernel().value().toArray(),
                bias ? dw.bias().value().toArray() : null, z);
        float[][] scaleShift = new float[2][channels];
        for (int c = 0; c < channels; c++) {
            scaleShift[0][c] = 2f + 0.25f * (c % 7);
            scaleShift[1][c] = 0.5f - 0.125f * (c % 5);
        }
        Tensor residual = uniform(6, g.batch(), g.outH(), g.outW(), channels);
        Epilogue after = Epilogue.NONE.thenScaleShift(scaleShift).thenAdd(residual).thenActivation(ActivationFunction.RELU6);
        Tensor y = dw.forwardWithEpilogue(x, after);
        double[] expected = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            int c = i % channels;
            expected[i] = Math.min(6, Math.max(0, z[i] * scaleShift[0][c] + scaleShift[1][c] + residual.data().get(i)));
        }
        assertClose(expected, y.shape(), y, 1e-5, "relu6(depthwise * s + t + residual)");
        assertThrows(IllegalStateException.class, () -> dw.backward(y, new boolean[] {true}, true));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void gradientCheck(int[] kernel, int m, int[] strides, String padding, int[] dilation, boolean bias, int[] shape) {
        DepthwiseConv2D dw = layer(kernel, m, strides, padding, dilation, bias);
        dw.build(Shapes.withoutBatch(shape));
        randomizeWeights(dw, 7);
        GradientCheck.of(dw).inputs(uniform(2, shape)).training(true).assertMatches(LayerGradientTest.TOLERANCE);
    }

    @Test
    void gradientCheckWithFusedActivation() {
        DepthwiseConv2D dw = new DepthwiseConv2D(3).padding("same").activation("tanh");
        dw.build(new int[] {5, 5, 3});
        randomizeWeights(dw, 3);
        GradientCheck.of(dw).inputs(uniform(4, 2, 5, 5, 3)).assertMatches(LayerGradientTest.TOLERANCE);
    }

    @Test
    void weightsHaveKerasNamesShapesAndOrder() {
        DepthwiseConv2D dw = new DepthwiseConv2D(3).depthMultiplier(2);
        dw.name("conv_dw_1");
        assertArrayEquals(new int[] {-1, 5, 5, 6}, Shapes.withBatch(-1, dw.build(new int[] {7, 7, 3})));
        assertEquals("conv_dw_1/depthwise_kernel:0", dw.weights().get(0).fullName());
        assertArrayEquals(new int[] {3, 3, 3, 2}, dw.weights().get(0).value().shape());
        assertEquals("conv_dw_1/bias:0", dw.weights().get(1).fullName());
        assertArrayEquals(new int[] {6}, dw.weights().get(1).value().shape());
        assertEquals(List.of("name", "trainable", "dtype", "kernel_size", "strides", "padding", "data_format",
                "dilation_rate", "activation", "use_bias", "depth_multiplier"), List.copyOf(dw.getConfig().keySet()));
    }

    @Test
    void stridesWithDilationAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DepthwiseConv2D(3).strides(2).dilationRate(2));
    }

    @Test
    void reluFollowsKerasFormula() {
        // Keras 3: p = t != 0 ? x * (x > t) : max(x, 0); clip(p, 0, m); y = p - a * max(t - x, 0)
        float[] x = {-3f, -1f, -0.5f, 0.25f, 0.5f, 1f, 2f, 7f};
        assertOutputs(new ReLU(6f), x, new float[] {0, 0, 0, 0.25f, 0.5f, 1, 2, 6});
        assertOutputs(new ReLU(null, 0.1f, 0f), x, new float[] {-0.3f, -0.1f, -0.05f, 0.25f, 0.5f, 1, 2, 7});
        assertOutputs(new ReLU(null, 0.5f, 1f), x, new float[] {-2f, -1f, -0.75f, -0.375f, -0.25f, 0, 2, 7});
        assertOutputs(new ReLU(1.5f, 0f, -1f), x, new float[] {0, 0, 0, 0.25f, 0.5f, 1, 1.5f, 1.5f});
    }

    private static void assertOutputs(Layer layer, float[] x, float[] expected) {
        Tensor y = layer.forward(Tensor.of(x, 1, x.length));
        for (int i = 0; i < x.length; i++) {
            assertEquals(expected[i], y.data().get(i), 1e-6, layer + " at x = " + x[i]);
        }
    }

    @Test
    void reluGradients() {
        // distinct(): inputs at least 0.025 from 0 and spaced 0.05, so no kink lies within the step
        GradientCheck.of(new ReLU(0.6f)).inputs(distinct(1, 2, 5, 4)).step(1e-2).assertMatches(2e-3);
        GradientCheck.of(new ReLU(null, 0.2f, 0.3126f)).inputs(distinct(2, 2, 5, 4)).assertMatches(2e-3);
    }

    @Test
    void rescalingNormalizationMultiplyReshapeGradients() {
        GradientCheck.of(new Rescaling(1 / 127.5, -1)).inputs(uniform(1, 2, 3, 3, 2)).assertMatches(2e-3);
        Normalization norm = new Normalization();
        norm.build(new int[] {-1, -1, 2});
        norm.setWeights(List.of(Tensor.of(new float[] {0.5f, -1f}, 2), Tensor.of(new float[] {4f, 0.25f}, 2),
                Tensor.of(new float[] {10f})));
        Tensor y = norm.forward(Tensor.of(new float[] {2.5f, 0f}, 1, 1, 1, 2));
        assertEquals(1f, y.data().get(0), 1e-6);    // (2.5 - 0.5) / 2
        assertEquals(2f, y.data().get(1), 1e-6);    // (0 + 1) / 0.5
        GradientCheck.of(norm).inputs(uniform(1, 2, 3, 3, 2)).assertMatches(2e-3);
        GradientCheck.of(new Multiply()).inputs(uniform(1, 2, 3, 3, 2), uniform(2, 2, 3, 3, 2)).assertMatches(2e-3);
        GradientCheck.of(new Multiply()).inputs(uniform(1, 2, 3, 3, 2), uniform(2, 2, 1, 1, 2)).assertMatches(2e-3);
        GradientCheck.of(new Reshape(-1, 3)).inputs(uniform(1, 2, 2, 3, 2)).assertMatches(2e-3);
        assertArrayEquals(new int[] {4, 3}, new Reshape(-1, 3).build(new int[] {2, 3, 2}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Reshape(5).build(new int[] {2, 3}))
                .getMessage().contains("cannot reshape"));
        assertThrows(IllegalArgumentException.class, () -> new Multiply().build(new int[] {2, 2, 3}, new int[] {2, 1, 3}));
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
