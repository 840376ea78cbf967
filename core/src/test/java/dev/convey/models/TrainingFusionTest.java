package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.layers.ReLU;
import dev.convey.tensor.Tensor;
import dev.convey.training.FitOptions;
import dev.convey.training.History;
import dev.convey.training.SGD;

/**
 * A batch norm and the relu after it run as one layer in training ({@link TrainingFusion}): the forward output,
 * every gradient and, after one {@code fit} step, the loss, the weights and the moving statistics must be those of
 * the layers one by one ({@code convey.fuseTraining=false}), bit for bit; pairs that must not fuse do not, and
 * behave as before. 4 channels run the batch norm's reference loops (relu's own backward masks first), 16 its
 * fast kernels (the mask inside them).
 */
class TrainingFusionTest {

    /** What one training run gives: the training forward output, the gradients, the pairs fused, after one fit. */
    private record Outcome(float[] output, List<float[]> gradients, String pairs, double loss, List<float[]> weights) {
    }

    /**
     * x -> [conv -> bn_aK -> relu_aK -> conv -> bn_bK -> add(., block input) -> relu_bK] x blocks: ResNet's
     * blocks, whose first relu follows a batch norm (a pair) and second an Add (not a pair).
     */
    private static Model residualBlocks(int channels, int blocks) {
        Layer.setRandomSeed(7);
        SymbolicTensor x = Input.of(5, 4, channels);
        SymbolicTensor h = x;
        for (int k = 0; k < blocks; k++) {
            SymbolicTensor a = new Activation("relu").name("relu_a" + k).apply(new BatchNormalization().name("bn_a" + k)
                    .apply(new Conv2D(channels, 3).padding("same").apply(h)));
            SymbolicTensor b = new BatchNormalization().name("bn_b" + k).apply(new Conv2D(channels, 1).apply(a));
            h = new Activation("relu").name("relu_b" + k).apply(new Add().apply(b, h));
        }
        Model m = new Model(x, h, "blocks");
        ModelGradientTest.randomize(m, 11);
        return m;
    }

    private static Tensor gaussian(long seed, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }

    /** A fresh model from {@code build} with the switch at {@code fuse}: forward, backward, then one fit step. */
    private static Outcome run(Supplier<Model> build, boolean fuse) {
        System.setProperty(TrainingFusion.PROPERTY, Boolean.toString(fuse));
        try {
            Model m = build.get();
            int[] in = m.input().shape();
            Tensor x = gaussian(5, 3, in[0], in[1], in[2]);
            Tensor y = m.forward(new Tensor[] {x}, true);
            float[] output = y.toArray();
            String pairs = m.trainingFusionPairs();
            Tensor dy = gaussian(6, y.shape());
            List<float[]> gradients = new ArrayList<>();
            gradients.add(m.backward(dy, new boolean[] {true}, true)[0].toArray());
            for (Parameter p : m.trainableWeights()) {
                gradients.add(p.gradient().toArray());
            }
            m.compile(new SGD(0.1), "mse");
            History h = m.fit(x, gaussian(8, y.shape()),
                    FitOptions.builder().batchSize(3).epochs(1).shuffle(false).verbose(false).build());
            List<float[]> weights = new ArrayList<>();
            for (Parameter p : m.weights()) {
                weights.add(p.value().toArray());
            }
            return new Outcome(output, gradients, pairs, h.last("loss"), weights);
        } finally {
            System.clearProperty(TrainingFusion.PROPERTY);
        }
    }

    /** The same numbers, bit for bit (assertArrayEquals with delta 0 compares floats by value: +0 equals -0). */
    private static void assertSameNumbers(Outcome expected, Outcome actual) {
        assertArrayEquals(expected.output(), actual.output(), 0f, "forward output");
        assertEquals(expected.gradients().size(), actual.gradients().size());
        for (int i = 0; i < expected.gradients().size(); i++) {
            assertArrayEquals(expected.gradients().get(i), actual.gradients().get(i), 0f, "gradient " + i);
        }
        assertEquals(expected.loss(), actual.loss(), 0.0, "loss");
        for (int i = 0; i < expected.weights().size(); i++) {
            assertArrayEquals(expected.weights().get(i), actual.weights().get(i), 0f, "weight " + i + " after fit");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 16})
    void fusedResidualBlocksEqualTheLayersOneByOne(int channels) {
        Outcome plain = run(() -> residualBlocks(channels, 2), false);
        Outcome fused = run(() -> residualBlocks(channels, 2), true);
        assertEquals("", plain.pairs());
        assertEquals("bn_a0 -> relu_a0\nbn_a1 -> relu_a1\n", fused.pairs());
        assertSameNumbers(plain, fused);
        // not trivially equal: the pairs' relus cut outputs, and the step moved the weights
        Model before = residualBlocks(channels, 2);
        int moved = 0;
        for (int i = 0; i < fused.weights().size(); i++) {
            moved += java.util.Arrays.equals(before.weights().get(i).value().toArray(), fused.weights().get(i)) ? 0 : 1;
        }
        // all but (perhaps) the conv biases before a batch norm, whose gradient is 0 up to rounding
        assertTrue(moved >= fused.weights().size() - 4, moved + " of " + fused.weights().size() + " weights moved");
    }

    /** x -> conv -> bn -> activation -> ...; {@code variant} says what keeps the pair apart (or frozen both). */
    private static Model unfusable(String variant) {
        Layer.setRandomSeed(3);
        SymbolicTensor x = Input.of(5, 4, 16);
        Layer bn = new BatchNormalization().name("bn");
        SymbolicTensor z = bn.apply(new Conv2D(16, 3).padding("same").apply(x));
        Layer act = variant.equals("tanh") ? new Activation("tanh") : variant.equals("relu6") ? new ReLU(6f)
                : new Activation("relu");
        act.name("act");
        SymbolicTensor a = act.apply(z);
        SymbolicTensor out = switch (variant) {
            case "read twice" -> new Add().apply(a, z);
            case "activation is the output" -> a;
            default -> new Conv2D(16, 1).apply(a);
        };
        Model m = new Model(x, out, "unfusable");
        ModelGradientTest.randomize(m, 12);
        bn.setTrainable(!variant.startsWith("frozen bn") && !variant.equals("frozen both"));
        act.setTrainable(!variant.equals("frozen relu") && !variant.equals("frozen both"));
        m.snapshotTrainable();
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"read twice", "activation is the output", "tanh", "relu6", "frozen bn", "frozen relu",
            "frozen both"})
    void pairsThatMustNotFuseRunAsBefore(String variant) {
        Outcome plain = run(() -> unfusable(variant), false);
        Outcome fused = run(() -> unfusable(variant), true);
        assertEquals("", plain.pairs());
        // a frozen batch norm and a frozen relu are in the same state: they fuse (on the moving statistics)
        assertEquals(variant.equals("frozen both") ? "bn -> act\n" : "", fused.pairs(), variant);
        assertSameNumbers(plain, fused);
    }
}
