package dev.convey.layers;

import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.convey.tensor.Tensor;

/**
 * A folded zero border ({@link BaseConv#foldInputPadding}) read by each forced Conv2D kernel, Winograd included:
 * the same numbers, bit for bit, as the ZeroPadding2D's padded copy fed to the unfolded layer. The borders are
 * asymmetric (bottom/right differ from top/left), as Keras' {@code correct_pad} makes them.
 */
class FoldedBorderTest {

    @ParameterizedTest
    @EnumSource(names = {"IM2COL", "WINOGRAD", "WINOGRAD_4X4"})
    void eachKernelReadsTheBorderAsZeros(Conv2D.Algorithm algorithm) {
        int[][][] borders = {{{1, 1}, {1, 1}}, {{0, 1}, {0, 1}}, {{2, 0}, {1, 3}}};
        for (int[][] border : borders) {
            for (String padding : new String[] {"valid", "same"}) {
                Tensor x = uniform(7, 2, 11, 9, 16);
                Tensor padded = new ZeroPadding2D(border).forward(x);
                Conv2D conv = new Conv2D(16, 3).padding(padding);
                conv.algorithm(algorithm);
                conv.build(new int[] {padded.dim(1), padded.dim(2), padded.dim(3)});
                randomizeWeights(conv, 3);
                float[] expected = conv.forward(padded).toArray();
                conv.foldInputPadding(border);
                float[] folded;
                try {
                    folded = conv.forward(x).toArray();
                } finally {
                    conv.foldInputPadding(null);
                }
                assertArrayEquals(expected, folded, 0f, algorithm + " " + padding + " border "
                        + java.util.Arrays.deepToString(border));
            }
        }
    }
}
