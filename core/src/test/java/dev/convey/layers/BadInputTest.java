package dev.convey.layers;

import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import dev.convey.tensor.Tensor;

/** Wrong inputs fail with messages naming the layer and both shapes. */
class BadInputTest {

    private static void assertMessage(Executable call, String... parts) {
        Exception e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }

    @Test
    void wrongRank() {
        Conv2D conv = new Conv2D(4, 3);
        assertMessage(() -> conv.forward(uniform(1, 2, 8, 3)), conv.name(), "Conv2D", "(None, 8, 3)", "rank 4");
        MaxPooling2D pool = new MaxPooling2D();
        assertMessage(() -> pool.forward(uniform(1, 2, 8)), pool.name(), "(None, 8)");
        ZeroPadding2D pad = new ZeroPadding2D();
        assertMessage(() -> pad.forward(uniform(1, 2, 4, 4, 3, 1)), pad.name(), "(None, 4, 4, 3, 1)");
    }

    @Test
    void channelMismatchWithBuiltWeights() {
        Conv2D conv = new Conv2D(4, 3);
        conv.forward(uniform(1, 1, 8, 8, 3));
        assertMessage(() -> conv.forward(uniform(2, 1, 8, 8, 5)), conv.name(), "(None, 8, 8, 3)", "(None, 8, 8, 5)");
        Dense dense = new Dense(2);
        dense.forward(uniform(3, 2, 6));
        assertMessage(() -> dense.forward(uniform(4, 2, 7)), dense.name(), "(None, 6)", "(None, 7)");
    }

    @Test
    void setWeightsWithTheWrongShape() {
        Conv2D conv = new Conv2D(4, 3);
        conv.build(new int[] {8, 8, 3});
        assertMessage(() -> conv.setWeights(List.of(Tensor.zeros(3, 3, 2, 4), Tensor.zeros(4))),
                conv.name() + "/kernel", "(3, 3, 3, 4)", "(3, 3, 2, 4)");
        Dense dense = new Dense(5);
        dense.build(new int[] {6});
        assertMessage(() -> dense.setWeights(List.of(Tensor.zeros(6, 5), Tensor.zeros(6))),
                dense.name() + "/bias", "(5,)", "(6,)");
    }

    @Test
    void invalidArguments() {
        assertMessage(() -> new Dense(0), "Dense", "units");
        assertMessage(() -> new MaxPooling2D(2).padding("causal"), "MaxPooling2D", "'causal'");
        assertMessage(() -> new AveragePooling2D(0), "AveragePooling2D", "pool_size");
        assertMessage(() -> new ZeroPadding2D(-1), "ZeroPadding2D", "non-negative");
        assertMessage(() -> ActivationFunction.forName("gelu_tanh"), "'gelu_tanh'", "relu, sigmoid, tanh, softmax");
    }

    @Test
    void wrongOutputGradientShape() {
        Dense dense = new Dense(3);
        dense.forward(uniform(1, 2, 4));
        assertMessage(() -> dense.backward(Tensor.zeros(2, 4), new boolean[] {true}, true), dense.name(), "(2, 4)",
                "(2, 3)");
    }
}
