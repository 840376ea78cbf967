package dev.convey.layers;

import static dev.convey.layers.TestTensors.distinct;
import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/** Every layer of this package's first half, and every activation, passes the finite-difference check. */
class LayerGradientTest {

    static final double TOLERANCE = 2e-3;

    /** A layer with weights, given random (nonzero) values, checked on input x. */
    private static void check(Layer layer, Tensor x) {
        layer.build(Shapes.withoutBatch(x.shape()));
        randomizeWeights(layer, 7);
        GradientCheck.of(layer).inputs(x).training(true).assertMatches(TOLERANCE);
    }

    @ParameterizedTest
    @EnumSource(ActivationFunction.class)
    void activation(ActivationFunction f) {
        // distinct(): no relu input within the step of 0; values span [-2.4, 2.4], where tanh and sigmoid bend.
        // distinct(): relu's kink stays > 0.025 away from every input (more than the step).
        check(new Activation(f), distinct(1, 2, 3, 4, 8));
    }

    @Test
    void conv2dValid3x3WithTanh() {
        check(new Conv2D(4, 3).activation("tanh"), uniform(2, 2, 6, 7, 3));
    }

    @Test
    void conv2dSameStride2() {
        check(new Conv2D(3, 3).padding("same").strides(2), uniform(3, 2, 7, 6, 2));
    }

    @Test
    void conv2dDilated() {
        check(new Conv2D(3, new int[] {2, 3}).padding("same").dilationRate(2).activation("sigmoid"), uniform(4, 1, 7, 8, 2));
    }

    @Test
    void conv2dNonSquareStridesWithoutBias() {
        check(new Conv2D(2, new int[] {3, 2}).strides(2, 1).useBias(false), uniform(5, 2, 7, 5, 3));
    }

    @Test
    void conv2dPointwise() {
        check(new Conv2D(5, 1).activation("softmax"), uniform(6, 2, 3, 4, 3));
    }

    @Test
    void conv2dPointwiseStride2() {
        check(new Conv2D(4, 1).strides(2), uniform(7, 2, 5, 5, 3));
    }

    @Test
    void conv2dInSeveralRowBlocks() {
        Conv2D conv = new Conv2D(3, 3).padding("same");
        conv.maxPatchFloats(5 * 3 * 3 * 2); // 5 output rows per block: blocks straddle the two images
        check(conv, uniform(8, 2, 4, 5, 2));
    }

    @Test
    void conv2dBackwardSplitsAnOddBatchOverTheThreads() {
        // 3 images over the threads (1 + 2 on two cores), each share in several 4-row blocks, overlapping windows
        Conv2D conv = new Conv2D(3, 3).strides(2).padding("same");
        conv.maxPatchFloats(4 * 3 * 3 * 2);
        check(conv, uniform(10, 3, 5, 6, 2));
    }

    @Test
    void denseOnRank2() {
        check(new Dense(4).activation("softmax"), uniform(9, 3, 6));
    }

    @Test
    void denseOnLastAxisOfRank4() {
        check(new Dense(3).activation("tanh"), uniform(10, 2, 3, 2, 5));
    }

    @Test
    void flatten() {
        check(new Flatten(), uniform(11, 2, 3, 2, 4));
    }

    @Test
    void zeroPadding() {
        check(new ZeroPadding2D(new int[][] {{1, 2}, {0, 3}}), uniform(12, 2, 3, 4, 2));
    }

    @Test
    void maxPoolingValid() {
        check(new MaxPooling2D(2), distinct(13, 2, 6, 5, 3));
    }

    @Test
    void maxPoolingSameOverlapping() {
        check(new MaxPooling2D(3).strides(2).padding("same"), distinct(14, 2, 7, 6, 2));
    }

    @Test
    void averagePoolingValid() {
        check(new AveragePooling2D(new int[] {2, 3}).strides(1, 2), uniform(15, 2, 5, 7, 2));
    }

    @Test
    void averagePoolingSame() {
        check(new AveragePooling2D(3).strides(2).padding("same"), uniform(16, 2, 6, 7, 2));
    }

    @Test
    void globalAveragePooling() {
        check(new GlobalAveragePooling2D(), uniform(17, 2, 3, 4, 5));
    }

    @Test
    void globalMaxPooling() {
        check(new GlobalMaxPooling2D().keepdims(true), distinct(18, 2, 3, 4, 5));
    }
}
