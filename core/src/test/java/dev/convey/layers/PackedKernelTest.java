package dev.convey.layers;

import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.PackedWeights;
import dev.convey.tensor.Tensor;

/**
 * The packed-weight GEMM path of the convolutions against the OpenBLAS path ({@code convey.packedGemm=false}),
 * and the cache that packs a kernel once per version.
 */
class PackedKernelTest {

    private static final double TOLERANCE = 1e-5;

    @AfterEach
    void clearSwitch() {
        System.clearProperty(Gemm.PACKED_PROPERTY);
    }

    @Test
    void packsOncePerKernelVersionAndNotWhenSwitchedOff() {
        assertTrue(Gemm.packedEnabled(), "the packed GEMM kernels must load on the build machine");
        Tensor w = uniform(1, 3, 3, 8, 20);
        Parameter kernel = new Parameter(null, "kernel", w, true);
        PackedKernel cache = new PackedKernel();
        PackedWeights first = cache.of(kernel, 1, 72, 20, w::data);
        assertNotNull(first);
        assertSame(first, cache.of(kernel, 1, 72, 20, w::data), "same version: the panels are reused");
        kernel.changed();
        PackedWeights second = cache.of(kernel, 1, 72, 20, w::data);
        assertSame(first, second, "a new version (a training step) is packed again into the same panels");
        kernel.changed();
        System.setProperty("convey.packedGemm.isa", "scalar");
        try {
            PackedWeights scalar = cache.of(kernel, 1, 72, 20, w::data);
            assertNotSame(first, scalar, "another kernel set lays its panels out anew");
            assertSame(scalar, cache.of(kernel, 1, 72, 20, w::data));
        } finally {
            System.clearProperty("convey.packedGemm.isa");
        }
        System.setProperty(Gemm.PACKED_PROPERTY, "false");
        assertNull(cache.of(kernel, 1, 72, 20, w::data), "switched off: OpenBLAS");
    }

    /** y packed against y through OpenBLAS: max |difference| / max |OpenBLAS| <= 1e-5. */
    private static void assertPackedEqualsOpenBlas(Conv2D conv, Tensor x, String what) {
        System.setProperty(Gemm.PACKED_PROPERTY, "false");
        Tensor expected = conv.forward(x).copy();
        System.clearProperty(Gemm.PACKED_PROPERTY);
        Tensor packed = conv.forward(x).copy();
        Tensor again = conv.forward(x).copy();   // the cached panels
        assertArrayEquals(expected.shape(), packed.shape(), what);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.size(); i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected.data().get(i)));
            maxDiff = Math.max(maxDiff, Math.abs(expected.data().get(i) - packed.data().get(i)));
            assertTrue(packed.data().get(i) == again.data().get(i), what + ": a second call with the cached panels differs");
        }
        assertTrue(maxAbs > 0, what);
        assertTrue(maxDiff <= TOLERANCE * maxAbs, what + ": packed vs OpenBLAS " + maxDiff / maxAbs);
    }

    private static Conv2D conv(Conv2D.Algorithm algorithm, int filters, int kernelSize, int stride, int[] inputShape,
                               long seed) {
        Conv2D conv = new Conv2D(filters, kernelSize).padding("same").strides(stride, stride).useBias(true);
        conv.algorithm(algorithm);
        conv.build(inputShape);
        randomizeWeights(conv, seed);
        return conv;
    }

    @Test
    void im2colForwardPackedEqualsOpenBlas() {
        // large maps share rows over the threads; small ones share the filters (whole panels, a ragged last one)
        int[][] cases = {{2, 40, 40, 5, 37, 3, 1}, {1, 7, 7, 64, 70, 3, 1}, {3, 9, 11, 17, 33, 5, 2}, {1, 30, 30, 3, 16, 3, 2}};
        for (int[] c : cases) {
            Conv2D conv = conv(Conv2D.Algorithm.IM2COL, c[4], c[5], c[6], new int[] {c[1], c[2], c[3]}, c[0] * 31L + c[4]);
            assertPackedEqualsOpenBlas(conv, uniform(c[0] + 5, c[0], c[1], c[2], c[3]), "im2col " + java.util.Arrays.toString(c));
        }
        // several patch blocks per thread
        Conv2D conv = conv(Conv2D.Algorithm.IM2COL, 24, 3, 1, new int[] {32, 32, 6}, 9);
        conv.maxPatchFloats(54 * 100);
        assertPackedEqualsOpenBlas(conv, uniform(10, 2, 32, 32, 6), "im2col in blocks");
    }

    @Test
    void pointwiseForwardPackedEqualsOpenBlas() {
        int[][] cases = {{2, 28, 28, 32, 48}, {1, 7, 7, 512, 2048}, {1, 5, 3, 7, 3}};
        for (int[] c : cases) {
            Conv2D conv = conv(Conv2D.Algorithm.AUTO, c[4], 1, 1, new int[] {c[1], c[2], c[3]}, c[3] * 7L + c[4]);
            assertPackedEqualsOpenBlas(conv, uniform(c[3], c[0], c[1], c[2], c[3]), "pointwise " + java.util.Arrays.toString(c));
        }
    }

    @Test
    void winogradForwardPackedEqualsOpenBlas() {
        for (Conv2D.Algorithm algorithm : new Conv2D.Algorithm[] {Conv2D.Algorithm.WINOGRAD, Conv2D.Algorithm.WINOGRAD_4X4}) {
            int[][] cases = {{2, 30, 30, 16, 24}, {1, 14, 14, 64, 40}, {1, 9, 7, 17, 33}};
            for (int[] c : cases) {
                Conv2D conv = conv(algorithm, c[4], 3, 1, new int[] {c[1], c[2], c[3]}, c[3] * 3L + c[4]);
                assertPackedEqualsOpenBlas(conv, uniform(c[4], c[0], c[1], c[2], c[3]),
                        algorithm + " " + java.util.Arrays.toString(c));
            }
        }
    }

    @Test
    void newWeightsArePackedAgain() {
        for (Conv2D.Algorithm algorithm : new Conv2D.Algorithm[] {Conv2D.Algorithm.IM2COL, Conv2D.Algorithm.WINOGRAD}) {
            Conv2D conv = conv(algorithm, 20, 3, 1, new int[] {12, 12, 16}, 1);
            Tensor x = uniform(2, 1, 12, 12, 16);
            conv.forward(x);                       // packs the first weights
            randomizeWeights(conv, 99);            // setWeights: a new kernel version
            assertPackedEqualsOpenBlas(conv, x, algorithm + " after setWeights");
        }
    }
}
