package dev.convey.layers;

import static dev.convey.layers.TestTensors.assertClose;
import static dev.convey.layers.TestTensors.doubles;
import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static dev.convey.layers.TestTensors.withProperty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Conv2D computed by Winograd F(2x2, 3x3) and F(4x4, 3x3) against the direct convolution written from the
 * definition (the parameterised tests run each of the two).
 */
class WinogradTest {

    /** The transforms add a few terms before and after the product: float32 rounding, a little above im2col's. */
    private static final double TOLERANCE = 2e-5;

    /** Tolerance of an algorithm: F(4x4, 3x3)'s transforms have larger coefficients (up to 8 and 1/24). */
    private static double tolerance(Conv2D.Algorithm algorithm) {
        return algorithm == Conv2D.Algorithm.WINOGRAD_4X4 ? TOLERANCE_4X4 : TOLERANCE;
    }

    private static final double TOLERANCE_4X4 = 2e-5;

    private static void assertMatchesNaive(Conv2D conv, Tensor x, String what) {
        assertMatchesNaive(conv, x, TOLERANCE, what);
    }

    private static void assertMatchesNaive(Conv2D conv, Tensor x, double tolerance, String what) {
        Tensor y = conv.forward(x);
        int[] shape = new int[4];
        double[] expected = ReferenceConvolution.conv2d(x, conv.kernel().value(), conv.useBias() ? conv.bias().value() : null,
                new int[] {1, 1}, new int[] {1, 1}, conv.padding() == Padding.SAME, shape);
        if (conv.activation() == ActivationFunction.RELU) {
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(0, expected[i]);
            }
        }
        assertClose(expected, shape, y, tolerance, what);
    }

    private static Conv2D winogradConv(int filters, String padding, boolean bias, int[] inputShape, long seed) {
        return winogradConv(Conv2D.Algorithm.WINOGRAD, filters, padding, bias, inputShape, seed);
    }

    private static Conv2D winogradConv(Conv2D.Algorithm algorithm, int filters, String padding, boolean bias,
                                       int[] inputShape, long seed) {
        Conv2D conv = new Conv2D(filters, 3).padding(padding).useBias(bias);
        conv.algorithm(algorithm);
        conv.build(inputShape);
        randomizeWeights(conv, seed);
        return conv;
    }

    /**
     * Odd sizes leave output tiles hanging over the right and bottom edges; 'same' reads the zero border on every
     * side; a 1x1 input under 'same' is a single tile that is mostly padding.
     */
    @ParameterizedTest
    @EnumSource(names = {"WINOGRAD", "WINOGRAD_4X4"})
    void gridOfSizesPaddingsBatchesChannelsAndBias(Conv2D.Algorithm algorithm) {
        int cases = 0;
        for (int[] hw : new int[][] {{1, 1}, {3, 3}, {4, 5}, {7, 6}, {9, 9}, {13, 10}}) {
            for (String padding : new String[] {"valid", "same"}) {
                if (padding.equals("valid") && Math.min(hw[0], hw[1]) < 3) {
                    continue;
                }
                for (int batch : new int[] {1, 3}) {
                    for (int[] channelsFilters : new int[][] {{3, 5}, {17, 16}}) {
                        for (boolean bias : new boolean[] {true, false}) {
                            Conv2D conv = winogradConv(algorithm, channelsFilters[1], padding, bias,
                                    new int[] {hw[0], hw[1], channelsFilters[0]}, cases);
                            Tensor x = uniform(100 + cases, batch, hw[0], hw[1], channelsFilters[0]);
                            assertMatchesNaive(conv, x, tolerance(algorithm), String.format(
                                    "%s %s %dx%dx%d -> %d, batch %d, bias=%b", algorithm, padding, hw[0], hw[1],
                                    channelsFilters[0], channelsFilters[1], batch, bias));
                            cases++;
                        }
                    }
                }
            }
        }
        assertEquals(88, cases);
    }

    /**
     * A map with enough tile rows gives each thread its own share, computed in blocks (here of 2 tile rows of
     * 15 tiles, so that blocks end mid-image); a small one is shared block by block, the threads splitting the
     * 16 products. Both with a fused ReLU.
     */
    @ParameterizedTest
    @EnumSource(names = {"WINOGRAD", "WINOGRAD_4X4"})
    void threadSharesBlocksAndActivationMatchNaive(Conv2D.Algorithm algorithm) {
        for (int hw : new int[] {29, 6, 58}) {
            Conv2D conv = new Conv2D(16, 3).padding("same").activation("relu");
            conv.algorithm(algorithm);
            conv.maxPatchFloats(Winograd.POINTS * (8 + 16) * 30);
            conv.build(new int[] {hw, hw, 8});
            randomizeWeights(conv, 7);
            assertMatchesNaive(conv, uniform(hw, 2, hw, hw, 8), tolerance(algorithm),
                    algorithm + " 2x" + hw + "x" + hw + "x8 -> 16, relu, small blocks");
        }
    }

    /**
     * The automatic choice takes Winograd on a VGG-like layer (F(2x2, 3x3) at 16 x 16; at 112 x 112 F(2x2, 3x3) by
     * default and F(4x4, 3x3) with its opt-in property), and it agrees with im2col.
     */
    @ParameterizedTest
    @EnumSource(names = {"WINOGRAD", "WINOGRAD_4X4"})
    void automaticChoiceAgreesWithIm2col(Conv2D.Algorithm algorithm) {
        int side = algorithm == Conv2D.Algorithm.WINOGRAD ? 16 : 112;
        Conv2D conv = new Conv2D(32, 3).padding("same").activation("relu");
        conv.build(new int[] {side, side, 32});
        Window2D g = Window2D.of(new int[] {1, side, side, 32}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1},
                Padding.SAME);
        assertEquals("Winograd F(2x2, 3x3)", new ConvolutionKernels().choose(g, 32, Conv2D.Algorithm.AUTO).toString());
        if (side == 112) {
            System.setProperty(ConvolutionKernels.WINOGRAD_4X4_PROPERTY, "true");
        }
        try {
            assertEquals("Winograd " + (side == 16 ? "F(2x2, 3x3)" : "F(4x4, 3x3)"),
                    new ConvolutionKernels().choose(g, 32, Conv2D.Algorithm.AUTO).toString());
            checkAutomaticAgainstIm2col(conv, side, algorithm);
        } finally {
            System.clearProperty(ConvolutionKernels.WINOGRAD_4X4_PROPERTY);
        }
    }

    private static void checkAutomaticAgainstIm2col(Conv2D conv, int side, Conv2D.Algorithm algorithm) {
        randomizeWeights(conv, 11);
        Tensor x = uniform(12, 1, side, side, 32);
        float[] automatic = conv.forward(x).toArray();
        conv.algorithm(Conv2D.Algorithm.IM2COL);
        Tensor im2col = conv.forward(x);
        double[] expected = new double[automatic.length];
        boolean differs = false;
        for (int i = 0; i < expected.length; i++) {
            expected[i] = im2col.data().get(i);
            differs |= automatic[i] != im2col.data().get(i);
        }
        assertTrue(differs, "AUTO should have taken Winograd, whose rounding differs from im2col's somewhere");
        assertClose(expected, im2col.shape(), Tensor.of(automatic, im2col.shape()), tolerance(algorithm),
                "AUTO against im2col");
    }

    /** An inference-mode batch norm, a residual and ReLU folded into the Winograd epilogue equal the layers run apart. */
    @ParameterizedTest
    @EnumSource(names = {"WINOGRAD", "WINOGRAD_4X4"})
    void foldedBatchNormMatchesSeparateLayers(Conv2D.Algorithm algorithm) {
        Conv2D conv = winogradConv(algorithm, 16, "same", true, new int[] {9, 8, 12}, 21);
        BatchNormalization bn = new BatchNormalization();
        bn.build(new int[] {9, 8, 16});
        List<Tensor> statistics = bn.getWeights();
        for (int i = 0; i < statistics.size(); i++) {
            Tensor t = uniform(30 + i, statistics.get(i).shape());
            if (i == statistics.size() - 1) {   // moving variance: positive
                for (int c = 0; c < t.size(); c++) {
                    t.data().put(c, 0.5f + Math.abs(t.data().get(c)));
                }
            }
            statistics.set(i, t);
        }
        bn.setWeights(statistics);
        Tensor x = uniform(40, 2, 9, 8, 12);
        float[] fused = conv.forwardWithEpilogue(x, bn.appendToEpilogue(Epilogue.NONE, null).thenActivation(ActivationFunction.RELU)).toArray();
        Tensor separate = bn.forward(conv.forward(x)).copy();
        ActivationFunction.RELU.forward(separate);
        double[] expected = new double[fused.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = separate.data().get(i);
        }
        assertClose(expected, separate.shape(), Tensor.of(fused, separate.shape()), 1e-6, "conv + bn + relu folded");

        // With a residual added before the ReLU (a ResNet block's end), on odd sizes: the edge tiles read it too.
        Tensor residual = uniform(41, 2, 9, 8, 16);
        float[] fusedResidual = conv.forwardWithEpilogue(x, bn.appendToEpilogue(Epilogue.NONE, null).thenAdd(residual).thenActivation(ActivationFunction.RELU)).toArray();
        Tensor sum = new Add().forward(new Tensor[] {residual, bn.forward(conv.forward(x))}, false).copy();
        ActivationFunction.RELU.forward(sum);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = sum.data().get(i);
        }
        assertClose(expected, sum.shape(), Tensor.of(fusedResidual, sum.shape()), 1e-6, "conv + bn + add + relu folded");
    }

    /** The transformed kernel is recomputed whenever the kernel changes: setWeights, or a write and changed(). */
    @ParameterizedTest
    @EnumSource(names = {"WINOGRAD", "WINOGRAD_4X4"})
    void kernelChangesAreSeen(Conv2D.Algorithm algorithm) {
        int[] inputShape = {6, 6, 4};
        Conv2D conv = winogradConv(algorithm, 5, "same", true, inputShape, 50);
        Tensor x = uniform(51, 1, 6, 6, 4);
        assertMatchesNaive(conv, x, tolerance(algorithm), "first weights");
        randomizeWeights(conv, 52);
        assertMatchesNaive(conv, x, tolerance(algorithm), "after setWeights");
        Tensor kernel = conv.kernel().value();
        for (int i = 0; i < kernel.size(); i++) {
            kernel.data().put(i, -kernel.data().get(i));
        }
        conv.kernel().changed();
        assertMatchesNaive(conv, x, tolerance(algorithm), "after writing the kernel and calling changed()");
        assertEquals(Shapes.toString(new int[] {3, 3, 4, 5}), Shapes.toString(kernel.shape()));
    }

    /**
     * The gradient to the input of a 3x3 stride-1 convolution is computed as a convolution too (the kernel rotated
     * by 180 degrees, in and out swapped, padding 2 - pad): it must equal im2col's col2im(dZ W^T), for 'valid'
     * (a full convolution) and 'same', odd sizes, blocks shared by the threads or not; the weight gradient is
     * unchanged.
     */
    @ParameterizedTest
    @EnumSource(names = {"WINOGRAD", "WINOGRAD_4X4"})
    void inputGradientByWinogradMatchesIm2col(Conv2D.Algorithm algorithm) {
        int cases = 0;
        for (String padding : new String[] {"valid", "same"}) {
            for (int[] shape : new int[][] {{2, 7, 6, 5, 4}, {2, 29, 29, 8, 16}, {1, 3, 3, 17, 3}}) {
                Conv2D conv = new Conv2D(shape[4], 3).padding(padding).activation("relu");
                conv.maxPatchFloats(Winograd.POINTS * (shape[3] + shape[4]) * 30);
                conv.build(new int[] {shape[1], shape[2], shape[3]});
                randomizeWeights(conv, 60 + cases);
                Tensor x = uniform(70 + cases, shape[0], shape[1], shape[2], shape[3]);
                conv.algorithm(Conv2D.Algorithm.IM2COL);
                Tensor y = conv.forward(new Tensor[] {x}, true);
                Tensor dy = uniform(80 + cases, y.shape());
                Tensor expected = conv.backward(dy, new boolean[] {true}, true)[0].copy();
                float[] expectedKernelGradient = conv.kernel().gradient().toArray();
                conv.algorithm(algorithm);
                conv.forward(new Tensor[] {x}, true);
                Tensor actual = conv.backward(dy, new boolean[] {true}, true)[0];
                double[] reference = new double[expected.size()];
                for (int i = 0; i < reference.length; i++) {
                    reference[i] = expected.data().get(i);
                }
                String what = padding + " " + java.util.Arrays.toString(shape);
                assertClose(reference, expected.shape(), actual, tolerance(algorithm), algorithm + " dL/dx, " + what);
                double[] kernelReference = new double[expectedKernelGradient.length];
                for (int i = 0; i < kernelReference.length; i++) {
                    kernelReference[i] = expectedKernelGradient[i];
                }
                assertClose(kernelReference, conv.kernel().gradient().shape(), conv.kernel().gradient(), TOLERANCE,
                        "dL/dW, " + what);
                cases++;
            }
        }
        assertEquals(6, cases);
    }

    /**
     * F(2x2, 3x3)'s dL/dx reads the forward transform U transposed point by point (U' = P U P^T): it equals the
     * rotated kernel's own transform (-Dconvey.winograd.rotatedInputGradient=true) to 1e-5 of the largest value,
     * odd sizes, 'valid' and 'same', shared blocks or not, and follows a kernel change (a training step's update).
     */
    @Test
    void inputGradientFromTheForwardTransformEqualsTheRotatedTransform() {
        int cases = 0;
        for (String padding : new String[] {"valid", "same"}) {
            for (int[] shape : new int[][] {{2, 7, 6, 5, 4}, {2, 29, 29, 8, 16}, {3, 9, 13, 17, 19}}) {
                Conv2D conv = new Conv2D(shape[4], 3).padding(padding);
                conv.algorithm(Conv2D.Algorithm.WINOGRAD);
                conv.maxPatchFloats(Winograd.POINTS * (shape[3] + shape[4]) * 30);
                conv.build(new int[] {shape[1], shape[2], shape[3]});
                Tensor x = uniform(170 + cases, shape[0], shape[1], shape[2], shape[3]);
                for (int version = 0; version < 2; version++) {
                    randomizeWeights(conv, 160 + 2 * cases + version);
                    Tensor y = conv.forward(new Tensor[] {x}, true);
                    Tensor dy = uniform(180 + cases, y.shape());
                    double[] rotated = withProperty(WinogradConvolution.ROTATED_INPUT_GRADIENT_PROPERTY, "true",
                            () -> doubles(conv.backward(dy, new boolean[] {true}, false)[0]));
                    Tensor transposed = conv.backward(dy, new boolean[] {true}, false)[0];
                    assertClose(rotated, x.shape(), transposed, 1e-5,
                            padding + " " + java.util.Arrays.toString(shape) + " kernel " + version);
                }
                cases++;
            }
        }
        assertEquals(6, cases);
    }

    /**
     * F(2x2, 3x3)'s dL/dW (G^T [sum over tiles V_p^T dM_p] G, {@link WinogradWeightGradient}) equals im2col's
     * P^T dZ (-Dconvey.winograd.im2colWeightGradient=true; false forces Winograd at these small sizes) to 1e-5 of the largest value: odd sizes (tiles that
     * overhang the image), 'valid' and 'same', one block or many.
     */
    @Test
    void weightGradientByWinogradEqualsIm2col() {
        int cases = 0;
        for (String padding : new String[] {"valid", "same"}) {
            for (int[] shape : new int[][] {{2, 7, 6, 5, 4}, {3, 29, 27, 8, 16}, {1, 4, 4, 1, 1}, {2, 9, 13, 17, 19}}) {
                for (int cap : new int[] {Im2colConvolution.DEFAULT_MAX_PATCH_FLOATS, Winograd.POINTS * (shape[3] + shape[4]) * 3}) {
                    Conv2D conv = new Conv2D(shape[4], 3).padding(padding);
                    conv.algorithm(Conv2D.Algorithm.WINOGRAD);
                    conv.maxPatchFloats(cap);
                    conv.build(new int[] {shape[1], shape[2], shape[3]});
                    randomizeWeights(conv, 260 + cases);
                    Tensor x = uniform(270 + cases, shape[0], shape[1], shape[2], shape[3]);
                    Tensor dy = uniform(280 + cases, conv.forward(new Tensor[] {x}, true).shape());
                    double[] im2col = withProperty(WinogradConvolution.IM2COL_WEIGHT_GRADIENT_PROPERTY, "true", () -> {
                        conv.backward(dy, new boolean[] {false}, true);
                        return doubles(conv.kernel().gradient());
                    });
                    withProperty(WinogradConvolution.IM2COL_WEIGHT_GRADIENT_PROPERTY, "false",
                            () -> conv.backward(dy, new boolean[] {false}, true));
                    assertClose(im2col, conv.kernel().gradient().shape(), conv.kernel().gradient(), 1e-5,
                            padding + " " + java.util.Arrays.toString(shape) + " cap " + cap);
                    cases++;
                }
            }
        }
        assertEquals(16, cases);
    }

    /**
     * The Winograd forward and input gradient against central finite differences of the loss. F(4x4, 3x3)'s
     * forward rounds about 10x more than F(2x2, 3x3)'s (see {@link Winograd4x4}), noise the difference quotient
     * divides by 2h: its convolution is checked linear (whose central difference has no truncation error at any
     * step) with h = 0.1; the activation's backward is the same code for every algorithm.
     */
    @ParameterizedTest
    @EnumSource(names = {"WINOGRAD", "WINOGRAD_4X4"})
    void gradientsMatchFiniteDifferences(Conv2D.Algorithm algorithm) {
        boolean f4 = algorithm == Conv2D.Algorithm.WINOGRAD_4X4;
        for (String padding : new String[] {"valid", "same"}) {
            Conv2D conv = new Conv2D(4, 3).padding(padding).activation(f4 ? "linear" : "tanh");
            conv.algorithm(algorithm);
            GradientCheck.of(conv).inputs(uniform(90, 2, 6, 7, 3)).training(true).step(f4 ? 0.1 : 1e-2)
                    .assertMatches(LayerGradientTest.TOLERANCE);
        }
    }
}
