package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.ReLU;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.tensor.Tensor;

/**
 * ZeroPadding2D folded into the convolution reading it ({@link PaddingFold}): with asymmetric borders, for each
 * kernel a convolution can choose (im2col 3x3/2, Winograd 3x3/1, 1x1 that must leave the pointwise kernel,
 * depthwise 3x3/2 and 5x5/1, with 'same' on top), the folded model's output is bit-identical to the layers run one
 * by one (padding copied), and to the model run with {@code convey.foldPadding=false}.
 */
class PaddingFoldTest {

    private static ZeroPadding2D pad(int top, int bottom, int left, int right) {
        return new ZeroPadding2D(new int[][] {{top, bottom}, {left, right}});
    }

    /**
     * Model m, whose only fold is the pair (padding, reader), gives {@code byLayers} on x bit for bit, folded and
     * with {@code convey.foldPadding=false}; returns the folded output.
     */
    private static float[] assertFoldedAndUnfoldedEqual(Layer[] pair, Model m, Tensor x, float[] byLayers) {
        String what = pair[1].describe() + " after " + java.util.Arrays.deepToString(((ZeroPadding2D) pair[0]).padding());
        float[] folded = m.forward(x).toArray();
        assertEquals(pair[0].name() + " -> " + pair[1].name() + "\n", m.paddingFolds(), what);
        assertArrayEquals(byLayers, folded, what);
        System.setProperty("convey.foldPadding", "false");
        try {
            assertArrayEquals(byLayers, m.forward(x).toArray(), what + " unfolded");
        } finally {
            System.clearProperty("convey.foldPadding");
        }
        return folded;
    }

    /** Each reader after its own asymmetric padding, all in one model; layers listed as (padding, reader) pairs. */
    @Test
    void foldedEqualsLayerByLayerForEveryKernel() {
        Layer.setRandomSeed(7);
        Layer[][] pairs = {
            {pad(0, 1, 0, 1), new Conv2D(5, 3).strides(2)},                     // im2col, Keras' correct_pad
            {pad(1, 2, 2, 0), new Conv2D(16, 3)},                               // Winograd 3x3/1 (when chosen)
            {pad(1, 0, 0, 2), new Conv2D(4, 1)},                                // 1x1: not the pointwise kernel
            {pad(0, 1, 0, 1), new DepthwiseConv2D(3).strides(2)},               // MobileNetV2's stride-2 dw
            {pad(2, 1, 1, 2), new DepthwiseConv2D(5).depthMultiplier(2)},        // EfficientNet's 5x5
            {pad(1, 2, 0, 1), new Conv2D(3, 3).padding("same").strides(2)},     // 'same' composed with the border
            {pad(3, 3, 3, 3), new Conv2D(6, 7).strides(2)},                     // ResNet50's conv1_pad
        };
        for (Layer[] pair : pairs) {
            SymbolicTensor in = Input.of(9, 10, 6);
            BatchNormalization bn = new BatchNormalization();
            ReLU relu = new ReLU();
            Model m = new Model(in, relu.apply(bn.apply(pair[1].apply(pair[0].apply(in)))), "m");
            ModelGradientTest.randomize(m, 3);
            Tensor x = RandomValues.random(11, 2, 9, 10, 6);
            float[] byLayers = relu.forward(bn.forward(pair[1].forward(pair[0].forward(x)))).toArray();
            float[] folded = assertFoldedAndUnfoldedEqual(pair, m, x, byLayers);
            double sum = 0;
            for (float v : folded) {
                sum += Math.abs(v);
            }
            assertTrue(sum > 0, pair[1].describe() + ": a real output");
        }
    }

    /**
     * A pooling reads a folded border as pixels of value 0: in the max (the inputs here are negative and
     * positive, so a 0 wins where the border is in the window) and in the average's divisor; 'same' padding
     * beyond the border still takes no part. Bit-identical to pooling the padded copy.
     */
    @Test
    void poolingCountsTheBorderAsZeros() {
        Layer[][] pairs = {
            {pad(1, 1, 1, 1), new MaxPooling2D(3).strides(2)},                      // ResNet50's pool1_pad
            {pad(0, 1, 0, 1), new MaxPooling2D(2)},
            {pad(3, 0, 0, 3), new MaxPooling2D(2).padding("same")},                 // windows wholly in the border
            {pad(1, 2, 2, 0), new MaxPooling2D(3).strides(1).padding("same")},      // 'same' beyond the border
            {pad(2, 1, 1, 2), new AveragePooling2D(3).strides(1)},
            {pad(1, 1, 1, 1), new AveragePooling2D(3).strides(2)},                  // DenseNet-style
            {pad(1, 2, 0, 1), new AveragePooling2D(2).strides(2).padding("same")},
            {pad(3, 0, 0, 3), new AveragePooling2D(2).padding("same")},
        };
        for (Layer[] pair : pairs) {
            SymbolicTensor in = Input.of(7, 9, 5);
            Model m = new Model(in, pair[1].apply(pair[0].apply(in)), "m");
            Tensor x = RandomValues.random(13, 2, 7, 9, 5);
            float[] byLayers = pair[1].forward(pair[0].forward(x)).toArray();
            assertFoldedAndUnfoldedEqual(pair, m, x, byLayers);
        }
    }

    /** A padding also read by another layer, or that is the model's output, stays a layer of its own. */
    @Test
    void sharedOrOutputPaddingIsNotFolded() {
        SymbolicTensor in = Input.of(6, 6, 2);
        SymbolicTensor padded = pad(1, 1, 1, 1).apply(in);
        Model shared = new Model(in, new dev.convey.layers.Add().apply(new Conv2D(2, 3).padding("same").apply(padded),
                new Conv2D(2, 1).apply(padded)), "shared");
        shared.forward(RandomValues.random(1, 1, 6, 6, 2));
        assertEquals("", shared.paddingFolds());
        SymbolicTensor in2 = Input.of(6, 6, 2);
        Model out = new Model(in2, pad(1, 1, 1, 1).apply(in2), "out");
        assertEquals(8, out.forward(RandomValues.random(1, 1, 6, 6, 2)).dim(1));
        assertEquals("", out.paddingFolds());
    }

    /** A backward pass after a folded inference pass gets the gradients of the unfolded layers. */
    @Test
    void backwardAfterFoldedInference() {
        Layer.setRandomSeed(2);
        SymbolicTensor in = Input.of(7, 7, 3);
        ZeroPadding2D p = pad(0, 1, 0, 1);
        DepthwiseConv2D dw = new DepthwiseConv2D(3).strides(2);
        Model m = new Model(in, dw.apply(p.apply(in)), "m");
        ModelGradientTest.randomize(m, 5);
        Tensor x = RandomValues.random(4, 2, 7, 7, 3);
        Tensor y = m.forward(x);
        assertEquals(p.name() + " -> " + dw.name() + "\n", m.paddingFolds());
        Tensor g = RandomValues.random(6, 2, 3, 3, 3);
        float[] dx = m.backward(g, new boolean[] {true}, false)[0].toArray();
        dw.forward(p.forward(x));
        float[] expected = p.backward(dw.backward(g, new boolean[] {true}, false)[0], new boolean[] {true}, false)[0].toArray();
        assertArrayEquals(new int[] {2, 3, 3, 3}, y.shape());
        assertArrayEquals(expected, dx);
    }
}
