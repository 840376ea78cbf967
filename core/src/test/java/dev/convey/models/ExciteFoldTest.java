package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.Multiply;
import dev.convey.layers.Reshape;
import dev.convey.tensor.Tensor;

/**
 * A squeeze-and-excitation block's excite multiply folded into the projection conv after it ({@link ExciteFold}):
 * the folded model equals the same model with {@code convey.foldExcite=false} and the layers run one by one to
 * 1e-5 (not bit for bit: s W rounds where x s did), for kernels of 1x1 and 3x3, batches of 1 and 3, odd channel
 * counts, and a projection that is the start of a fused conv -> bn -> add chain.
 */
class ExciteFoldTest {

    private static final double TOLERANCE = 1e-5;

    /** EfficientNet's block tail: dw -> SE (GAP, reduce, expand) -> multiply -> project -> bn -> add(shortcut). */
    private static final class Block {
        final SymbolicTensor in;
        final DepthwiseConv2D dw = new DepthwiseConv2D(3).padding("same").activation("swish");
        final GlobalAveragePooling2D squeeze = new GlobalAveragePooling2D();
        final Reshape reshape;
        final Conv2D reduce = new Conv2D(3, 1).activation("swish");
        final Conv2D expand;
        final Multiply excite = new Multiply();
        final Conv2D project;
        final BatchNormalization bn = new BatchNormalization();
        final Conv2D shortcut;
        final Add add = new Add();
        final Model model;

        Block(int projectKernel) {
            this(projectKernel, 13, 11, 6, 5);
        }

        /** An h x w x c input, a projection of {@code filters} with a kernel of projectKernel. */
        Block(int projectKernel, int h, int w, int c, int filters) {
            in = Input.of(h, w, c);
            reshape = new Reshape(1, 1, c);
            expand = new Conv2D(c, 1).activation("sigmoid");
            shortcut = new Conv2D(filters, 1);
            project = new Conv2D(filters, projectKernel).padding("same").useBias(false);
            SymbolicTensor x = dw.apply(in);
            SymbolicTensor s = expand.apply(reduce.apply(reshape.apply(squeeze.apply(x))));
            SymbolicTensor y = add.apply(bn.apply(project.apply(excite.apply(x, s))), shortcut.apply(in));
            model = new Model(in, y, "se_block");
            ModelGradientTest.randomize(model, 5);
        }

        float[] layerByLayer(Tensor input) {
            Tensor x = dw.forward(input);
            Tensor s = expand.forward(reduce.forward(reshape.forward(squeeze.forward(x))));
            Tensor p = bn.forward(project.forward(excite.forward(new Tensor[] {x, s}, false)));
            return add.forward(new Tensor[] {p, shortcut.forward(input)}, false).toArray();
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0, what + ": a real output");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * scale, what + " at " + i);
        }
    }

    private static float[] unfolded(Model m, Tensor x) {
        System.setProperty("convey.foldExcite", "false");
        try {
            return m.forward(x).toArray();
        } finally {
            System.clearProperty("convey.foldExcite");
        }
    }

    @Test
    void foldedEqualsUnfoldedAndLayerByLayer() {
        for (int kernel : new int[] {1, 3}) {
            for (int batch : new int[] {1, 3}) {
                Block b = new Block(kernel);
                Tensor x = RandomValues.random(17 + batch, batch, 13, 11, 6);
                float[] folded = b.model.forward(x).toArray();
                String what = kernel + "x" + kernel + " projection, batch " + batch;
                assertEquals(b.excite.name() + " -> " + b.project.name() + "\n", b.model.exciteFolds(), what);
                assertTrue(b.model.inferenceFusionChains().contains(b.project.name() + " -> " + b.bn.name()),
                        what + ": the projection still fuses its batch norm and Add");
                float[] plain = unfolded(b.model, x);
                assertClose(plain, folded, what + " vs convey.foldExcite=false");
                assertClose(b.layerByLayer(x), folded, what + " vs layer by layer");
                assertArrayEquals(folded, b.model.forward(x).toArray(), what + ": folded again");
            }
        }
    }

    /**
     * A 3x3 projection large enough for Winograd, OpenBLAS path (U kept per weight): the per-image scaled kernel
     * and the layer's own one are different weights, so their transforms must not be mistaken for each other
     * (both versions start at 1).
     */
    @Test
    void winogradProjectionKeepsTheTransformsOfItsTwoKernelsApart() {
        System.setProperty("convey.packedGemm", "false");
        try {
            for (int batch : new int[] {1, 2}) {
                Block b = new Block(3, 20, 20, 16, 16);
                Tensor x = RandomValues.random(31 + batch, batch, 20, 20, 16);
                float[] folded = b.model.forward(x).toArray();
                assertEquals(b.excite.name() + " -> " + b.project.name() + "\n", b.model.exciteFolds());
                float[] plain = unfolded(b.model, x);
                assertClose(plain, folded, "Winograd projection, batch " + batch);
                assertClose(b.layerByLayer(x), b.model.forward(x).toArray(), "folded again, batch " + batch);
            }
        } finally {
            System.clearProperty("convey.packedGemm");
        }
    }

    /** Where the fold would not pay, or cannot hold, the multiply stays a layer of its own. */
    @Test
    void notFoldedWhereItDoesNotPayOrHold() {
        // 13 x 11 = 143 pixels < 2 x 9 taps x 8 filters: scaling the kernel would cost more than scaling the map
        SymbolicTensor in = Input.of(13, 11, 6);
        SymbolicTensor s = new Reshape(1, 1, 6).apply(new GlobalAveragePooling2D().apply(in));
        Model big = new Model(in, new Conv2D(8, 3).apply(new Multiply().apply(in, s)), "big_kernel");
        big.forward(RandomValues.random(1, 1, 13, 11, 6));
        assertEquals("", big.exciteFolds());
        // the product read twice
        SymbolicTensor in2 = Input.of(13, 11, 6);
        SymbolicTensor s2 = new Reshape(1, 1, 6).apply(new GlobalAveragePooling2D().apply(in2));
        SymbolicTensor product = new Multiply().apply(in2, s2);
        Model twice = new Model(in2, new Add().apply(new Conv2D(6, 1).apply(product), product), "read_twice");
        twice.forward(RandomValues.random(2, 1, 13, 11, 6));
        assertEquals("", twice.exciteFolds());
        // two maps multiplied, not a channel scale
        SymbolicTensor in3 = Input.of(13, 11, 6);
        Model maps = new Model(in3, new Conv2D(4, 1).apply(new Multiply().apply(in3, new Conv2D(6, 1).apply(in3))), "maps");
        maps.forward(RandomValues.random(3, 1, 13, 11, 6));
        assertEquals("", maps.exciteFolds());
        // the product is the model's output
        SymbolicTensor in4 = Input.of(13, 11, 6);
        SymbolicTensor s4 = new Reshape(1, 1, 6).apply(new GlobalAveragePooling2D().apply(in4));
        Model out = new Model(in4, new Multiply().apply(in4, s4), "output");
        out.forward(RandomValues.random(4, 1, 13, 11, 6));
        assertEquals("", out.exciteFolds());
    }

    /** A backward pass after a folded inference pass gets the gradients of the unfolded layers. */
    @Test
    void backwardAfterFoldedInference() {
        Layer.setRandomSeed(3);
        Block b = new Block(1);
        Tensor x = RandomValues.random(8, 2, 13, 11, 6);
        b.model.forward(x);
        assertEquals(b.excite.name() + " -> " + b.project.name() + "\n", b.model.exciteFolds());
        Tensor g = RandomValues.random(9, 2, 13, 11, 5);
        float[] afterFolded = b.model.backward(g, new boolean[] {true}, false)[0].toArray();
        System.setProperty("convey.foldExcite", "false");
        try {
            b.model.forward(x);
            assertArrayEquals(b.model.backward(g, new boolean[] {true}, false)[0].toArray(), afterFolded);
        } finally {
            System.clearProperty("convey.foldExcite");
        }
        // and the layer itself refuses a backward pass after a folded forward
        b.model.forward(x);
        assertThrows(IllegalStateException.class, () -> b.project.backward(g, new boolean[] {true}, false));
    }
}
