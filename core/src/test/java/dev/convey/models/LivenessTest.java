package dev.convey.models;

import static dev.convey.models.RandomValues.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.Flatten;
import dev.convey.layers.Identity;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Tensor;

/**
 * Buffer reuse by liveness ({@link Liveness}, {@link dev.convey.tensor.BufferPool}): an inference pass that hands
 * each layer output back to the pool after its last reader computes exactly what a pass keeping every output
 * does, on a graph with branches, a fused conv -> bn -> relu chain, a residual Add, a nested model, layers that
 * return their input or a view of it, and batch sizes changing between passes. In the tests the pool fills
 * released memory with NaN (assertions are on), so a layer reading a buffer before writing it would show.
 */
class LivenessTest {

    /** The inner model: conv -> swish -> identity (returns its input). */
    private static Model inner() {
        SymbolicTensor in = Input.of(4, 4, 12);
        SymbolicTensor h = new Conv2D(5, 1).name("inner_conv").apply(in);
        h = new Activation("swish").name("inner_swish").apply(h);
        return new Model(in, new Identity().name("inner_identity").apply(h), "inner");
    }

    /**
     * x -> [conv -> bn -> relu] (fused) + conv1x1(x) -> relu -> {max pool, average pool} -> concatenate -> inner
     * model -> flatten (a view) -> dropout (its input in inference) -> dense softmax.
     */
    private static Model model() {
        SymbolicTensor x = Input.of(8, 8, 3);
        SymbolicTensor h = new Conv2D(6, 3).padding("same").useBias(false).name("conv").apply(x);
        h = new BatchNormalization().name("bn").apply(h);
        h = new Activation("relu").name("relu").apply(h);
        SymbolicTensor shortcut = new Conv2D(6, 1).name("shortcut").apply(x);
        SymbolicTensor r = new Activation("relu").name("add_relu").apply(new Add().name("add").apply(h, shortcut));
        SymbolicTensor c = new Concatenate().name("concat").apply(
                new MaxPooling2D(2).name("max").apply(r), new AveragePooling2D(2).name("avg").apply(r));
        SymbolicTensor f = new Flatten().name("flatten").apply(inner().apply(c));
        f = new Dropout(0.5).name("dropout").apply(f);
        return new Model(x, new Dense(3).activation("softmax").name("out").apply(f), "liveness");
    }

    /** The same random weights in both models. */
    private static void randomize(long seed, Model... models) {
        for (Model m : models) {
            RandomValues.randomize(m, seed);
        }
    }

    @Test
    void releasingOutputsComputesWhatKeepingThemDoes() {
        Model released = model();
        Model kept = model();
        randomize(3, released, kept);
        int pass = 0;
        for (int batch : new int[] {2, 2, 5, 1, 5, 3, 3}) {
            Tensor x = random(pass++, batch, 8, 8, 3);
            float[] expected = kept.forwardKeepingValues(x).toArray();
            float[] actual = released.forward(x).toArray();
            assertArrayEquals(expected, actual, 0f, "pass " + pass + ", batch " + batch);
            assertTrue(released.bufferPool().freeFloats() > 0, "the pass released its intermediate outputs");
        }
        assertTrue(released.inferenceFusionChains().contains("conv -> bn -> relu"), released.inferenceFusionChains());
    }

    @Test
    void aReleasedValueCannotBeRead() {
        Model m = model();
        randomize(3, m);
        Tensor x = random(1, 2, 8, 8, 3);
        m.forward(x);
        Node conv = m.graph().nodeByLayerName.get("shortcut");
        assertTrue(conv.value.isReleased());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> conv.value.data());
        assertTrue(e.getMessage().contains("was released"), e.getMessage());
        // The model's input and output are the caller's: never released.
        assertFalse(x.isReleased());
        assertFalse(m.graph().outputNode.value.isReleased());
    }

    @Test
    void steadyStateInferenceAllocatesNothing() {
        Model m = model();
        randomize(3, m);
        Tensor big = random(1, 6, 8, 8, 3);
        Tensor small = random(2, 2, 8, 8, 3);
        m.forward(big);
        m.forward(big);
        long afterTwo = m.bufferPool().allocations();
        long freeAfterTwo = m.bufferPool().freeFloats();
        for (int i = 0; i < 5; i++) {
            m.forward(big);
        }
        assertEquals(afterTwo, m.bufferPool().allocations(), "same batch: the pool reached its fixed point");
        assertEquals(freeAfterTwo, m.bufferPool().freeFloats());
        for (int i = 0; i < 6; i++) {
            m.forward(i % 2 == 0 ? small : big);
        }
        long afterAlternating = m.bufferPool().allocations();
        long freeAfterAlternating = m.bufferPool().freeFloats();
        for (int i = 0; i < 6; i++) {
            m.forward(i % 2 == 0 ? small : big);
        }
        assertEquals(afterAlternating, m.bufferPool().allocations(), "alternating batch sizes: a fixed point too");
        assertEquals(freeAfterAlternating, m.bufferPool().freeFloats());
    }

    @Test
    void backwardAfterAnInferencePassComputesTheOutputsAgain() {
        Model released = model();
        Model kept = model();
        randomize(5, released, kept);
        Tensor x = random(7, 3, 8, 8, 3);
        Tensor dy = random(8, 3, 3);
        released.forward(x);
        kept.forwardKeepingValues(x);
        float[] dxReleased = released.backward(dy, new boolean[] {true}, true)[0].toArray();
        float[] dxKept = kept.backward(dy, new boolean[] {true}, true)[0].toArray();
        assertArrayEquals(dxKept, dxReleased, 0f);
        for (int i = 0; i < kept.weights().size(); i++) {
            Parameter a = kept.weights().get(i);
            Parameter b = released.weights().get(i);
            if (a.gradient() != null) {
                assertArrayEquals(a.gradient().toArray(), b.gradient().toArray(), 0f, a.name());
            }
        }
    }

    @Test
    void aTrainingPassReleasesNothingEvenInAModelRunInInferenceMode() {
        Model base = inner();
        SymbolicTensor x = Input.of(4, 4, 12);
        SymbolicTensor f = new Flatten().apply(base.apply(false, x));
        Model m = new Model(x, new Dense(2).apply(f), "outer");
        m.forward(new Tensor[] {random(1, 2, 4, 4, 12)}, true);
        assertEquals(0, m.bufferPool().freeFloats());
        assertFalse(base.graph().nodeByLayerName.get("inner_conv").value.isReleased());
        m.forward(new Tensor[] {random(1, 2, 4, 4, 12)}, false);
        assertTrue(base.graph().nodeByLayerName.get("inner_conv").value.isReleased(), "shares the outer pass' pool");
        assertEquals(0, base.bufferPool().freeFloats(), "the nested model's own pool is not used");
    }
}
