package dev.convey.layers;

import static dev.convey.layers.TestTensors.assertClose;
import static dev.convey.layers.TestTensors.doubles;
import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static dev.convey.layers.TestTensors.withProperty;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Conv2D with its patch rows read from the image itself ({@link ImplicitPatches}, the packed GEMM's rows of runs)
 * against the naive convolution and against today's im2col path, forced on and off by
 * {@value Im2colConvolution#IMPLICIT_PATCHES_PROPERTY}.
 */
class ImplicitPatchesTest {

    private static final double TOLERANCE = 1e-5;
    private static final int EXPECTED_CASES = 236;

    private static Tensor forward(Conv2D conv, Tensor x, String implicit) {
        return withProperty(Im2colConvolution.IMPLICIT_PATCHES_PROPERTY, implicit, () -> conv.forward(x).copy());
    }

    private static void assertMatchesNaiveAndIm2col(Conv2D conv, Tensor x, String what) {
        conv.build(Shapes.withoutBatch(x.shape()));
        randomizeWeights(conv, 5);
        int[] shape = new int[4];
        double[] expected = ReferenceConvolution.conv2d(x, conv.kernel().value(), conv.useBias() ? conv.bias().value() : null,
                conv.strides(), conv.dilationRate(), conv.padding() == Padding.SAME, shape);
        Tensor implicit = forward(conv, x, "true");
        assertClose(expected, shape, implicit, TOLERANCE, what + ", implicit patches");
        Tensor im2col = forward(conv, x, "false");
        assertClose(doubles(im2col), shape, implicit, TOLERANCE, what + ", implicit against im2col");
    }

    /**
     * Odd sizes, kernels 1 to 7 (non-square too), strides 1 to 3 (unequal too), 'valid' and 'same' (whose padding
     * is copied into P), a height dilation (the runs' stride; a width dilation falls back to im2col), batch 1 and
     * 3, and more filters than one panel: both splits over the threads (output rows, or filters of a small map).
     */
    @Test
    void gridOfKernelsStridesPaddingsSizesAndBatches() {
        int cases = 0;
        for (int[] k : new int[][] {{1, 1}, {3, 3}, {7, 7}, {2, 5}}) {
            for (int[] s : new int[][] {{1, 1}, {2, 2}, {3, 1}}) {
                for (int[] d : new int[][] {{1, 1}, {2, 1}, {1, 2}}) {
                    if ((s[0] > 1 || s[1] > 1) && (d[0] > 1 || d[1] > 1)) {
                        continue;   // Keras refuses strides with dilation
                    }
                    for (String padding : new String[] {"valid", "same"}) {
                        for (int[] bhwc : new int[][] {{1, 13, 11, 3}, {3, 9, 16, 5}, {1, 40, 61, 3}}) {
                            if (padding.equals("valid") && ((k[0] - 1) * d[0] >= bhwc[1] || (k[1] - 1) * d[1] >= bhwc[2])) {
                                continue;   // the window does not fit (Conv2DTest: refused)
                            }
                            for (int filters : new int[] {4, 40}) {
                                String what = String.format("k=%dx%d s=%dx%d d=%dx%d %s input %s filters=%d", k[0], k[1],
                                        s[0], s[1], d[0], d[1], padding, java.util.Arrays.toString(bhwc), filters);
                                Conv2D conv = new Conv2D(filters, k).strides(s).dilationRate(d).padding(padding)
                                        .useBias(filters == 40);
                                assertMatchesNaiveAndIm2col(conv, uniform(cases, bhwc), what);
                                cases++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(EXPECTED_CASES, cases);
    }

    /** ResNet's stem, smaller: a 7x7 stride-2 kernel on a zero-padded RGB image, batch 1 and 3, with ReLU. */
    @Test
    void stemLikeConvolutionTakesTheImplicitPathByDefault() {
        for (int batch : new int[] {1, 3}) {
            Conv2D conv = new Conv2D(64, 7).strides(2).padding("same").activation("relu");
            Tensor x = uniform(batch, batch, 57, 62, 3);
            conv.build(Shapes.withoutBatch(x.shape()));
            randomizeWeights(conv, 9);
            Window2D g = conv.window(x.shape());
            assertTrue(new Im2colConvolution().implicitPatches(g), "the rule takes 3 channels, 31 output columns");
            assertFalse(new Im2colConvolution().implicitPatches(conv.window(new int[] {batch, 57, 40, 3})),
                    "20 output columns are too few");
            Tensor byDefault = conv.forward(x).copy();
            Tensor im2col = forward(conv, x, "false");
            int[] shape = new int[4];
            double[] expected = ReferenceConvolution.conv2d(x, conv.kernel().value(), conv.bias().value(),
                    conv.strides(), conv.dilationRate(), true, shape);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(0, expected[i]);
            }
            assertClose(expected, shape, byDefault, TOLERANCE, "batch " + batch + ", default rule");
            assertClose(doubles(im2col), shape, byDefault, TOLERANCE, "batch " + batch + ", against im2col");
            assertArrayEquals(im2col.shape(), byDefault.shape());
        }
    }

    /** Without the packed GEMM (OpenBLAS), the property changes nothing: im2col. */
    @Test
    void withoutThePackedGemmImplicitPatchesAreOff() {
        Conv2D conv = new Conv2D(8, 7).strides(2).padding("same");
        Tensor x = uniform(2, 1, 60, 60, 3);
        conv.build(Shapes.withoutBatch(x.shape()));
        randomizeWeights(conv, 2);
        Tensor openBlas = withProperty(Gemm.PACKED_PROPERTY, "false", () -> forward(conv, x, "true"));
        int[] shape = new int[4];
        double[] expected = ReferenceConvolution.conv2d(x, conv.kernel().value(), conv.bias().value(), conv.strides(),
                conv.dilationRate(), true, shape);
        assertClose(expected, shape, openBlas, TOLERANCE, "OpenBLAS");
    }
}
