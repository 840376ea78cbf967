package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Activation;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Layer;
import dev.convey.layers.SeparableConv2D;
import dev.convey.tensor.Tensor;

/**
 * Xception's {@code SeparableConv2D -> BatchNormalization -> ReLU} runs as one fused chain in inference (the batch
 * norm and the ReLU in the pointwise step's epilogue), bit-identical to the layers one by one; a backward pass
 * after it gives the layers' own gradients.
 */
class SeparableConv2DFusionTest {

    @Test
    void batchNormAndReluFoldIntoThePointwiseStep() {
        Layer.setRandomSeed(6);
        SymbolicTensor input = Input.of(7, 6, 3);
        SeparableConv2D sep = new SeparableConv2D(5, 3).padding("same").useBias(false);
        BatchNormalization bn = new BatchNormalization();
        Activation relu = new Activation("relu");
        Model m = new Model(input, relu.apply(bn.apply(sep.apply(input))), "xception_unit");
        ModelGradientTest.randomize(m, 13);
        Random r = new Random(2);
        Tensor x = Tensor.zeros(2, 7, 6, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }

        float[] fused = m.forward(x).toArray();
        assertEquals(sep.name() + " -> " + bn.name() + " -> " + relu.name() + "\n", m.inferenceFusionChains());
        float[] expected = relu.forward(bn.forward(sep.forward(x))).toArray();
        assertArrayEquals(expected, fused, 0f);
        int positive = 0;
        for (float v : fused) {
            positive += v > 0.1f ? 1 : 0;
        }
        assertTrue(positive > fused.length / 4, "the chain's output is not trivially zero");

        Tensor dy = Tensor.zeros(2, 7, 6, 5);
        for (int i = 0; i < dy.size(); i++) {
            dy.data().put(i, (i % 5) * 0.1f - 0.2f);
        }
        Tensor dx = sep.backward(bn.backward(relu.backward(dy, new boolean[] {true}, false)[0], new boolean[] {true},
                false)[0], new boolean[] {true}, true)[0].copy();
        float[] dPointwise = sep.pointwiseKernel().gradient().toArray();
        m.forward(x);
        Tensor modelDx = m.backward(dy, new boolean[] {true}, true)[0];
        assertArrayEquals(dx.toArray(), modelDx.toArray(), 1e-6f);
        assertArrayEquals(dPointwise, sep.pointwiseKernel().gradient().toArray(), 0f);
    }
}
