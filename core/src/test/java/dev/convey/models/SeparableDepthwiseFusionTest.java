package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Activation;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.KernelLayer;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.layers.SeparableConv2D;
import dev.convey.tensor.Tensor;

/**
 * Xception's {@code SeparableConv2D -> BatchNormalization -> ReLU} (the batch norm and the ReLU in the pointwise
 * step's epilogue) and MobileNet's {@code DepthwiseConv2D -> BatchNormalization -> ReLU6} (in the depthwise kernel's
 * epilogue, stride 2 so that its strips meet the border) run as one fused chain in inference, bit-identical to the
 * layers one by one; a backward pass after it gives the layers' own gradients.
 */
class SeparableDepthwiseFusionTest {

    @Test
    void batchNormAndReluFoldIntoThePointwiseStep() {
        SeparableConv2D sep = new SeparableConv2D(5, 3).padding("same").useBias(false);
        assertChainFolds(sep, "relu", new int[] {2, 7, 6, 3}, 1f, () -> sep.pointwiseKernel());
    }

    @Test
    void batchNormAndRelu6FoldIntoTheDepthwiseConvolution() {
        DepthwiseConv2D dw = new DepthwiseConv2D(3).strides(2).padding("same").useBias(false);
        assertChainFolds(dw, "relu6", new int[] {2, 9, 8, 3}, 3f, () -> dw.kernel());
    }

    /**
     * producer -> bn -> activation on a Gaussian input (standard deviation {@code scale}): one fused chain, equal to
     * the layers one by one; then dL/dx and the gradient of {@code kernel} after the fused pass.
     */
    private static void assertChainFolds(KernelLayer<?> producer, String activation, int[] shape, float scale,
                                         java.util.function.Supplier<Parameter> kernel) {
        Layer.setRandomSeed(6);
        SymbolicTensor input = Input.of(shape[1], shape[2], shape[3]);
        BatchNormalization bn = new BatchNormalization();
        Activation act = new Activation(activation);
        Model m = new Model(input, act.apply(bn.apply(producer.apply(input))), "unit");
        ModelGradientTest.randomize(m, 13);
        Random r = new Random(2);
        Tensor x = Tensor.zeros(shape);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) (scale * r.nextGaussian()));
        }

        float[] fused = m.forward(x).toArray();
        assertEquals(producer.name() + " -> " + bn.name() + " -> " + act.name() + "\n", m.inferenceFusionChains());
        Tensor expected = act.forward(bn.forward(producer.forward(x)));
        assertArrayEquals(expected.toArray(), fused, 0f);
        int inside = 0;
        for (float v : fused) {
            inside += v > 0.1f && v < 5.9f ? 1 : 0;
        }
        assertTrue(inside > fused.length / 4, "the chain's output is not trivially zero or clipped");

        Tensor dy = Tensor.zeros(expected.shape());
        for (int i = 0; i < dy.size(); i++) {
            dy.data().put(i, (i % 5) * 0.1f - 0.2f);
        }
        Tensor dx = producer.backward(bn.backward(act.backward(dy, new boolean[] {true}, false)[0],
                new boolean[] {true}, false)[0], new boolean[] {true}, true)[0].copy();
        float[] dKernel = kernel.get().gradient().toArray();
        m.forward(x);
        Tensor modelDx = m.backward(dy, new boolean[] {true}, true)[0];
        assertArrayEquals(dx.toArray(), modelDx.toArray(), 1e-6f);
        assertArrayEquals(dKernel, kernel.get().gradient().toArray(), 0f);
    }
}
