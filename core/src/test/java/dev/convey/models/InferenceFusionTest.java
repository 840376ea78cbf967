package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Layer;
import dev.convey.layers.ReLU;
import dev.convey.tensor.Tensor;

/**
 * Conv -> BatchNorm -> Activation chains run fused in inference ({@link InferenceFusion}): the output must be
 * bit-identical to running the layers one by one, and a backward pass after a fused forward pass must give the
 * gradients of the unfused layers.
 */
class InferenceFusionTest {

    private Conv2D conv1;
    private BatchNormalization bn1;
    private Activation relu1;
    private Conv2D conv2;
    private BatchNormalization bn2;
    private Conv2D shortcut;
    private Add add;

    /** x -> conv1 -> bn1 -> relu1 -> conv2 -> bn2 -> add(., shortcut(x)): a residual block, two chains. */
    private Model residualBlock() {
        Layer.setRandomSeed(3);
        SymbolicTensor x = Input.of(6, 5, 3);
        conv1 = new Conv2D(4, 3).padding("same");
        bn1 = new BatchNormalization();
        relu1 = new Activation("relu");
        conv2 = new Conv2D(4, 1);
        bn2 = new BatchNormalization();
        shortcut = new Conv2D(4, 1);
        add = new Add();
        SymbolicTensor y = bn2.apply(conv2.apply(relu1.apply(bn1.apply(conv1.apply(x)))));
        Model m = new Model(x, add.apply(y, shortcut.apply(x)), "block");
        ModelGradientTest.randomize(m, 11);
        return m;
    }

    /** The same computation, layer by layer (no fusion possible). */
    private Tensor layerByLayer(Tensor x) {
        Tensor h = relu1.forward(bn1.forward(conv1.forward(x)));
        Tensor y = bn2.forward(conv2.forward(h));
        return add.forward(new Tensor[] {y, shortcut.forward(x)}, false);
    }

    private static Tensor input() {
        Random r = new Random(5);
        Tensor x = Tensor.zeros(2, 6, 5, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) (r.nextGaussian()));
        }
        return x;
    }

    @Test
    void fusedInferenceEqualsTheLayersOneByOne() {
        Model m = residualBlock();
        Tensor x = input();
        float[] fused = m.forward(x).toArray();
        float[] expected = layerByLayer(x).toArray();
        assertArrayEquals(expected, fused, 0f);
        float max = 0;
        for (float v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        assertEquals(true, max > 0.1f, "the block's output is not trivially zero");
    }

    @Test
    void backwardAfterAFusedForwardPassReRunsTheChains() {
        Model m = residualBlock();
        Tensor x = input();
        Tensor dy = Tensor.full(0.25f, 2, 6, 5, 4);
        for (int i = 0; i < dy.size(); i++) {
            dy.data().put(i, (i % 7) * 0.1f - 0.3f);
        }
        // Reference: the layers one by one (inference mode), then their backward passes by hand.
        layerByLayer(x);
        Tensor dShortcut = shortcut.backward(dy, new boolean[] {true}, true)[0].copy();
        Tensor dh = conv2.backward(bn2.backward(dy, new boolean[] {true}, false)[0], new boolean[] {true}, true)[0];
        float[] dConv2Kernel = conv2.kernel().gradient().toArray();
        Tensor dx = conv1.backward(bn1.backward(relu1.backward(dh, new boolean[] {true}, false)[0],
                new boolean[] {true}, false)[0], new boolean[] {true}, true)[0].copy();
        float[] dConv1Kernel = conv1.kernel().gradient().toArray();
        for (int i = 0; i < dx.size(); i++) {
            dx.data().put(i, dx.data().get(i) + dShortcut.data().get(i));
        }

        // The model: fused inference forward, then backward (as a saliency map would ask for dL/dx).
        m.forward(x);
        Tensor modelDx = m.backward(dy, new boolean[] {true}, true)[0];
        assertArrayEquals(dx.toArray(), modelDx.toArray(), 1e-6f);
        assertArrayEquals(dConv1Kernel, conv1.kernel().gradient().toArray(), 0f);
        assertArrayEquals(dConv2Kernel, conv2.kernel().gradient().toArray(), 0f);
    }

    /**
     * Keras' ResNet block ends in {@code add([shortcut, bn]) -> relu}, the shortcut computed first: the last conv,
     * its batch norm, the Add and the ReLU run as one fused convolution, bit-identical to the layers one by one,
     * and backward after it gives the layers' own gradients.
     */
    @Test
    void residualAddAndReluFoldIntoTheLastConvolution() {
        Layer.setRandomSeed(4);
        SymbolicTensor input = Input.of(6, 5, 3);
        Conv2D c1 = new Conv2D(4, 3).padding("same");
        BatchNormalization b1 = new BatchNormalization();
        Activation r1 = new Activation("relu");
        Conv2D c2 = new Conv2D(4, 1);
        BatchNormalization b2 = new BatchNormalization();
        Conv2D sc = new Conv2D(4, 1);
        Add sum = new Add();
        Activation r2 = new Activation("relu");
        SymbolicTensor shortcutOut = sc.apply(input);
        SymbolicTensor main = b2.apply(c2.apply(r1.apply(b1.apply(c1.apply(input)))));
        Model m = new Model(input, r2.apply(sum.apply(shortcutOut, main)), "resnet_block");
        ModelGradientTest.randomize(m, 12);
        Tensor x = input();

        float[] fused = m.forward(x).toArray();
        assertEquals(c1.name() + " -> " + b1.name() + " -> " + r1.name() + "\n"
                + c2.name() + " -> " + b2.name() + " -> " + sum.name() + " -> " + r2.name() + "\n",
                m.inferenceFusionChains());
        Tensor h = r1.forward(b1.forward(c1.forward(x)));
        Tensor main2 = b2.forward(c2.forward(h));
        Tensor expected = r2.forward(sum.forward(new Tensor[] {sc.forward(x), main2}, false));
        assertArrayEquals(expected.toArray(), fused, 0f);
        int positive = 0;
        for (float v : fused) {
            positive += v > 0.1f ? 1 : 0;
        }
        assertEquals(true, positive > fused.length / 4, "the block's output is not mostly clipped to zero");

        // Backward by hand through the same layers (their state is that of the layer-by-layer pass above).
        Tensor dy = Tensor.zeros(2, 6, 5, 4);
        for (int i = 0; i < dy.size(); i++) {
            dy.data().put(i, (i % 7) * 0.1f - 0.3f);
        }
        Tensor dSum = r2.backward(dy, new boolean[] {true}, false)[0].copy();
        Tensor dShortcut = sc.backward(dSum, new boolean[] {true}, true)[0].copy();
        Tensor dh = c2.backward(b2.backward(dSum, new boolean[] {true}, false)[0], new boolean[] {true}, true)[0];
        Tensor dx = c1.backward(b1.backward(r1.backward(dh, new boolean[] {true}, false)[0],
                new boolean[] {true}, false)[0], new boolean[] {true}, true)[0].copy();
        float[] dC2Kernel = c2.kernel().gradient().toArray();
        for (int i = 0; i < dx.size(); i++) {
            dx.data().put(i, dx.data().get(i) + dShortcut.data().get(i));
        }
        m.forward(x);
        Tensor modelDx = m.backward(dy, new boolean[] {true}, true)[0];
        assertArrayEquals(dx.toArray(), modelDx.toArray(), 1e-6f);
        assertArrayEquals(dC2Kernel, c2.kernel().gradient().toArray(), 0f);
    }

    /**
     * MobileNet's {@code dwconv -> bn -> ReLU(6.)} and EfficientNet's {@code dwconv -> bn -> swish} run as one fused
     * depthwise convolution, bit-identical to the layers one by one; backward after it re-runs them.
     */
    @Test
    void depthwiseConvolutionsTakeTheBatchNormAndTheActivation() {
        Layer.setRandomSeed(6);
        SymbolicTensor input = Input.of(6, 5, 3);
        DepthwiseConv2D d1 = new DepthwiseConv2D(3).padding("same").useBias(false);
        BatchNormalization b1 = new BatchNormalization();
        ReLU relu6 = new ReLU(6f);
        DepthwiseConv2D d2 = new DepthwiseConv2D(3).strides(2).padding("same");
        BatchNormalization b2 = new BatchNormalization();
        Activation swish = new Activation("swish");
        Model m = new Model(input, swish.apply(b2.apply(d2.apply(relu6.apply(b1.apply(d1.apply(input)))))), "dw");
        ModelGradientTest.randomize(m, 13);
        Tensor x = input();

        float[] fused = m.forward(x).toArray();
        assertEquals(d1.name() + " -> " + b1.name() + " -> " + relu6.name() + "\n"
                + d2.name() + " -> " + b2.name() + " -> " + swish.name() + "\n", m.inferenceFusionChains());
        Tensor expected = swish.forward(b2.forward(d2.forward(relu6.forward(b1.forward(d1.forward(x))))));
        assertArrayEquals(expected.toArray(), fused, 0f);

        Tensor dy = Tensor.full(0.5f, expected.shape());
        Tensor dx = d1.backward(b1.backward(relu6.backward(d2.backward(b2.backward(swish.backward(dy,
                new boolean[] {true}, false)[0], new boolean[] {true}, false)[0], new boolean[] {true}, true)[0],
                new boolean[] {true}, false)[0], new boolean[] {true}, false)[0], new boolean[] {true}, true)[0].copy();
        m.forward(x);
        assertArrayEquals(dx.toArray(), m.backward(dy, new boolean[] {true}, true)[0].toArray(), 1e-6f);
    }

    /**
     * EfficientNet's block end, {@code project_conv -> project_bn -> drop (Dropout) -> add(., input)}: the Dropout,
     * the identity in inference, joins the chain, bit-identical to the layers one by one; backward after it gives
     * the layers' own gradients.
     */
    @Test
    void aDropoutBetweenTheBatchNormAndTheAddJoinsTheChain() {
        DropoutBlock block = DropoutBlock.of(6, 0.3, 13);
        Conv2D c = block.conv();
        BatchNormalization b = block.norm();
        dev.convey.layers.Dropout drop = block.drop();
        Add sum = block.sum();
        Model m = block.model();
        Tensor x = input();
        float[] fused = m.forward(x).toArray();
        assertEquals(c.name() + " -> " + b.name() + " -> " + drop.name() + " -> " + sum.name() + "\n",
                m.inferenceFusionChains());
        float[] expected = sum.forward(new Tensor[] {drop.forward(b.forward(c.forward(x))), x}, false).toArray();
        assertArrayEquals(expected, fused, 0f);
        Tensor dy = Tensor.full(0.5f, 2, 6, 5, 3);
        float[] dx = m.backward(dy, new boolean[] {true}, true)[0].toArray();
        float[] dKernel = c.kernel().gradient().toArray();
        sum.forward(new Tensor[] {drop.forward(b.forward(c.forward(x))), x}, false);
        Tensor dMain = c.backward(b.backward(drop.backward(dy, new boolean[] {true}, false)[0], new boolean[] {true},
                false)[0], new boolean[] {true}, true)[0];
        float[] expectedDx = dMain.toArray();
        for (int i = 0; i < expectedDx.length; i++) {
            expectedDx[i] += dy.data().get(i);
        }
        assertArrayEquals(expectedDx, dx, 0f);
        assertArrayEquals(dKernel, c.kernel().gradient().toArray(), 0f);
    }

    /**
     * A frozen conv and batch norm in a training pass (a frozen base under a trainable head) still fuse, but an active
     * Dropout is not the identity: the chain stops at the batch norm, and the Dropout and the Add run as layers.
     */
    @Test
    void anActiveDropoutEndsTheChainAtTheBatchNorm() {
        DropoutBlock block = DropoutBlock.of(7, 0.5, 14);
        Conv2D c = block.conv();
        BatchNormalization b = block.norm();
        dev.convey.layers.Dropout drop = block.drop();
        Add sum = block.sum();
        Model m = block.model();
        c.setTrainable(false);   // nothing for backward to run through: the chain may fuse in training
        b.setTrainable(false);
        for (Layer l : m.layers()) {
            l.snapshotTrainable();   // as compile() does
        }
        Tensor x = input();
        Layer.setRandomSeed(21);
        float[] training = m.forward(new Tensor[] {x}, true).toArray();
        Layer.setRandomSeed(21);
        Tensor dropped = drop.forward(new Tensor[] {b.forward(new Tensor[] {c.forward(x)}, false)}, true);
        float[] expected = sum.forward(new Tensor[] {dropped, x}, true).toArray();
        assertArrayEquals(expected, training, 0f);
        float[] inference = m.forward(x).toArray();
        boolean differs = false;
        for (int i = 0; i < inference.length; i++) {
            differs |= inference[i] != training[i];
        }
        assertEquals(true, differs, "the Dropout was active in the training pass");
    }

    /** EfficientNet's block end, {@code input -> conv 1x1 -> bn -> Dropout(rate) -> add(., input)}, randomised. */
    private record DropoutBlock(Conv2D conv, BatchNormalization norm, dev.convey.layers.Dropout drop, Add sum, Model model) {

        static DropoutBlock of(long layerSeed, double rate, long weightSeed) {
            Layer.setRandomSeed(layerSeed);
            SymbolicTensor input = Input.of(6, 5, 3);
            Conv2D c = new Conv2D(3, 1).useBias(false);
            BatchNormalization b = new BatchNormalization();
            dev.convey.layers.Dropout drop = new dev.convey.layers.Dropout(rate);
            Add sum = new Add();
            Model m = new Model(input, sum.apply(drop.apply(b.apply(c.apply(input))), input), "mbconv_end");
            ModelGradientTest.randomize(m, weightSeed);
            return new DropoutBlock(c, b, drop, sum, m);
        }
    }
}
