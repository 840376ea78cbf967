package dev.convey.layers;

import static dev.convey.layers.TestTensors.assertClose;
import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/** Conv2D against a direct convolution written from the definition, in double. */
class Conv2DTest {

    private static final double TOLERANCE = 1e-5;

    /** Runs conv on x with random weights and compares with the naive convolution. */
    private static void assertMatchesNaive(Conv2D conv, Tensor x, String what) {
        conv.build(Shapes.withoutBatch(x.shape()));
        randomizeWeights(conv, 3);
        Tensor y = conv.forward(x);
        int[] shape = new int[4];
        double[] expected = ReferenceConvolution.conv2d(x, conv.kernel().value(), conv.useBias() ? conv.bias().value() : null,
                conv.strides(), conv.dilationRate(), conv.padding() == Padding.SAME, shape);
        assertClose(expected, shape, y, TOLERANCE, what);
    }

    @Test
    void gridOfKernelsStridesPaddingsSizesDilationsAndBias() {
        int cases = 0;
        for (int k : new int[] {1, 2, 3, 5, 7}) {
            for (int[] strideDilation : new int[][] {{1, 1}, {2, 1}, {3, 1}, {1, 2}}) {
                for (String padding : new String[] {"valid", "same"}) {
                    for (int[] hw : new int[][] {{9, 8}, {12, 13}}) {
                        for (boolean bias : new boolean[] {true, false}) {
                            int s = strideDilation[0];
                            int d = strideDilation[1];
                            String what = String.format("k=%d s=%d d=%d %s input %dx%d bias=%b", k, s, d, padding,
                                    hw[0], hw[1], bias);
                            Conv2D conv = new Conv2D(4, k).strides(s).dilationRate(d).padding(padding).useBias(bias);
                            Tensor x = uniform(cases, 2, hw[0], hw[1], 3);
                            if (padding.equals("valid") && (k - 1) * d + 1 > Math.min(hw[0], hw[1])) {
                                // The window does not fit: Keras refuses to build, and so do we.
                                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                        () -> conv.forward(x), what);
                                assertTrue(e.getMessage().contains(conv.name()) && e.getMessage().contains("empty"),
                                        e.getMessage());
                            } else {
                                assertMatchesNaive(conv, x, what);
                            }
                            cases++;
                        }
                    }
                }
            }
        }
        assertEquals(160, cases);
    }

    @Test
    void pointwiseFastPathWithBatchAndActivation() {
        Conv2D conv = new Conv2D(6, 1).activation("relu");
        Tensor x = uniform(1, 3, 5, 4, 7);
        conv.build(new int[] {5, 4, 7});
        randomizeWeights(conv, 3);
        assertMatchesNaiveRelu(conv, x, false, "1x1 conv + relu");
    }

    /** conv (stride 1, relu, with bias) on x against the naive convolution followed by max(0, .). */
    private static void assertMatchesNaiveRelu(Conv2D conv, Tensor x, boolean same, String what) {
        Tensor y = conv.forward(x);
        int[] shape = new int[4];
        double[] expected = ReferenceConvolution.conv2d(x, conv.kernel().value(), conv.bias().value(), new int[] {1, 1},
                new int[] {1, 1}, same, shape);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.max(0, expected[i]);
        }
        assertClose(expected, shape, y, TOLERANCE, what);
    }

    /**
     * The forward pass shares big feature maps by output rows (each thread its own blocks) and small ones by
     * filters; both, with and without im2col, must equal the naive convolution. 2 x 20 x 20 = 800 output rows
     * are enough to share by rows; 2 x 6 x 6 = 72 are not.
     */
    @Test
    void rowSharedAndFilterSharedForwardMatchNaive() {
        for (int hw : new int[] {20, 6}) {
            for (int k : new int[] {3, 1}) {
                Conv2D conv = new Conv2D(40, k).padding("same").activation("relu");
                if (k == 3) {
                    conv.maxPatchFloats(37 * 3 * 3 * 5); // 37-row blocks: shares end mid-block
                }
                Tensor x = uniform(hw + k, 2, hw, hw, 5);
                conv.build(new int[] {hw, hw, 5});
                randomizeWeights(conv, 3);
                assertMatchesNaiveRelu(conv, x, true, k + "x" + k + " conv + relu on 2x" + hw + "x" + hw + "x5");
            }
        }
    }

    @Test
    void nonSquareKernelBatchAndSeveralRowBlocks() {
        Conv2D conv = new Conv2D(5, new int[] {3, 5}).padding("same").strides(1, 2);
        conv.maxPatchFloats(7 * 3 * 5 * 4); // 7 rows per block: blocks end mid-row and mid-image
        assertMatchesNaive(conv, uniform(4, 3, 6, 9, 4), "3x5 kernel in blocks of 7 rows");
        assertArrayEquals(new int[] {3, 5, 4, 5}, conv.kernel().value().shape());
    }

    @Test
    void sameOutputIsReusedAcrossCallsAndBatchSizes() {
        Conv2D conv = new Conv2D(2, 3).padding("same");
        Tensor big = uniform(5, 4, 5, 5, 2);
        Tensor small = uniform(6, 1, 5, 5, 2);
        conv.build(new int[] {5, 5, 2});
        randomizeWeights(conv, 3);
        float[] first = conv.forward(small).toArray();
        conv.forward(big);
        assertArrayEquals(first, conv.forward(small).toArray(), "same input after a bigger batch, same output");
    }

    @Test
    void configurationIsKeras() {
        Conv2D conv = new Conv2D(64, new int[] {3, 3}).strides(2, 2).padding("same").activation("relu").useBias(false);
        assertEquals(64, conv.filters());
        assertArrayEquals(new int[] {3, 3}, conv.kernelSize());
        assertArrayEquals(new int[] {2, 2}, conv.strides());
        assertArrayEquals(new int[] {1, 1}, conv.dilationRate());
        assertEquals("same", conv.padding().kerasName());
        assertEquals("relu", conv.activation().kerasName());
        assertEquals(false, conv.useBias());
        assertTrue(conv.name().startsWith("conv2d"), conv.name());
    }

    @Test
    void stridesWithDilationIsRejected() {
        Conv2D conv = new Conv2D(8, 3).strides(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.dilationRate(2));
        assertTrue(e.getMessage().contains(conv.name()) && e.getMessage().contains("dilation_rate"), e.getMessage());
    }

    @Test
    void invalidArgumentsNameTheLayer() {
        IllegalArgumentException filters = assertThrows(IllegalArgumentException.class, () -> new Conv2D(0, 3));
        assertTrue(filters.getMessage().contains("Conv2D") && filters.getMessage().contains("filters"), filters.getMessage());
        IllegalArgumentException padding = assertThrows(IllegalArgumentException.class,
                () -> new Conv2D(4, 3).padding("full"));
        assertTrue(padding.getMessage().contains("Conv2D") && padding.getMessage().contains("'full'"), padding.getMessage());
        IllegalArgumentException activation = assertThrows(IllegalArgumentException.class,
                () -> new Conv2D(4, 3).activation("swishy"));
        assertTrue(activation.getMessage().contains("swishy") && activation.getMessage().contains("relu"),
                activation.getMessage());
    }
}
