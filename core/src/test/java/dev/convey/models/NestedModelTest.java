package dev.convey.models;

import static dev.convey.models.RandomValues.random;
import static dev.convey.models.RandomValues.randomize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.GradientCheck;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Tensor;
import dev.convey.training.FitOptions;
import dev.convey.training.SGD;

/**
 * A model used as a layer of another (the transfer-learning guide's {@code base_model(x, training=False)}):
 * forward equals the two models run one after the other, backward matches finite differences, freezing the
 * base keeps its weights, and a call with {@code training=false} keeps the base's BatchNormalization on its
 * moving statistics during fit even while the base is trainable (its weights still train).
 */
class NestedModelTest {

    private static Model base() {
        SymbolicTensor in = Input.of(6, 6, 2);
        SymbolicTensor h = new Conv2D(3, 3).name("conv").apply(in);
        h = new BatchNormalization().name("bn").apply(h);
        return new Model(in, new Conv2D(2, 1).activation("tanh").name("conv_b").apply(h), "base");
    }

    /** The classifier around {@code base}, calling it with training fixed to {@code baseTraining} (null: not fixed). */
    private static Model classifier(Model base, Boolean baseTraining) {
        return classifier(base, baseTraining, "softmax");
    }

    /** {@code headActivation} linear: a Flatten head, whose larger input gradients finite differences resolve. */
    private static Model classifier(Model base, Boolean baseTraining, String headActivation) {
        SymbolicTensor x = Input.of(6, 6, 2);
        SymbolicTensor f = base.apply(baseTraining, x); // null: the call follows the model's mode
        f = headActivation.equals("linear") ? new dev.convey.layers.Flatten().apply(f)
                : new GlobalAveragePooling2D().apply(f);
        return new Model(x, new Dense(3).activation(headActivation).name("head").apply(f), "classifier");
    }

    @Test
    void forwardIsTheTwoModelsOneAfterTheOther() {
        Model base = base();
        Model m = classifier(base, false);
        randomize(m, 1);
        Tensor x = random(2, 4, 6, 6, 2);
        Tensor features = base.predict(x, 4);
        Tensor pooled = new GlobalAveragePooling2D().forward(features).copy();
        Dense head = (Dense) m.getLayer("head");
        assertArrayEquals(head.forward(pooled).toArray(), m.predict(x, 4).toArray(), 1e-6f);
        assertEquals(4, m.layers().size()); // input, base, pooling, head
        assertEquals(Boolean.FALSE, m.outputOf("base").training());
        assertNull(m.outputOf("head").training());
    }

    @Test
    void backwardThroughTheNestedModelMatchesFiniteDifferences() {
        Model m = classifier(base(), null, "linear");
        randomize(m, 3);
        // 5e-3: the central difference's h^2 term through the base's tanh (the same model inlined shows the same)
        GradientCheck.of(m).inputs(random(4, 2, 6, 6, 2)).training(false).assertMatches(5e-3);
        Model fixed = classifier(base(), false, "linear");
        randomize(fixed, 3);
        // training pass of the outer model, the base's batch norm in inference mode: its formula, differentiated
        GradientCheck.of(fixed).inputs(random(4, 2, 6, 6, 2)).training(true).assertMatches(5e-3);
    }

    /** The nested model's forward and backward are exactly those of the same layers in one flat model. */
    @Test
    void nestedGradientsEqualTheFlatModelsBitForBit() {
        Model nested = classifier(base(), null, "linear");
        randomize(nested, 13);
        SymbolicTensor in = Input.of(6, 6, 2);
        SymbolicTensor h = new Conv2D(3, 3).name("conv").apply(in);
        h = new BatchNormalization().name("bn").apply(h);
        h = new Conv2D(2, 1).activation("tanh").name("conv_b").apply(h);
        h = new dev.convey.layers.Flatten().apply(h);
        Model flat = new Model(in, new Dense(3).name("head").apply(h), "flat");
        for (int i = 0; i < flat.weights().size(); i++) {
            flat.weights().get(i).assign(nested.weights().get(i).value());
        }
        Tensor x = random(14, 3, 6, 6, 2);
        for (boolean training : new boolean[] {false, true}) {
            Tensor yn = nested.forward(new Tensor[] {x}, training).copy();
            Tensor yf = flat.forward(new Tensor[] {x}, training).copy();
            assertArrayEquals(yf.toArray(), yn.toArray(), "forward, training " + training);
            Tensor dy = random(15, yn.shape());
            Tensor dxn = nested.backward(dy, new boolean[] {true}, true)[0].copy();
            Tensor dxf = flat.backward(dy, new boolean[] {true}, true)[0].copy();
            assertArrayEquals(dxf.toArray(), dxn.toArray(), "input gradient, training " + training);
            for (int i = 0; i < flat.weights().size(); i++) {
                assertArrayEquals(flat.weights().get(i).gradient().toArray(), nested.weights().get(i).gradient().toArray(),
                        flat.weights().get(i).fullName() + ", training " + training);
            }
        }
    }

    private static Map<String, Tensor> fitOnce(Model m) {
        Tensor x = random(5, 8, 6, 6, 2);
        Tensor y = Tensor.zeros(8, 3);
        for (int i = 0; i < 8; i++) {
            y.data().put(i * 3 + i % 3, 1f);
        }
        m.compile(new SGD(0.1), "categorical_crossentropy");
        Map<String, Tensor> before = values(m);
        m.fit(x, y, FitOptions.builder().batchSize(8).epochs(1).shuffle(false).verbose(false).build());
        return before;
    }

    private static Map<String, Tensor> values(Model m) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (Parameter p : m.weights()) {
            out.put(p.fullName(), p.value().copy());
        }
        return out;
    }

    private static boolean changed(Model m, Map<String, Tensor> before, String weight) {
        for (Parameter p : m.weights()) {
            if (p.fullName().equals(weight)) {
                return !java.util.Arrays.equals(before.get(weight).toArray(), p.value().toArray());
            }
        }
        throw new AssertionError("no weight " + weight);
    }

    @Test
    void trainingFalseKeepsTheBatchNormOnItsMovingStatisticsWhileItsWeightsTrain() {
        Model m = classifier(base(), false);
        randomize(m, 6);
        Map<String, Tensor> before = fitOnce(m);
        assertFalse(changed(m, before, "bn/moving_mean:0"), "moving mean updated despite training=False");
        assertFalse(changed(m, before, "bn/moving_variance:0"));
        assertTrue(changed(m, before, "bn/gamma:0"), "the base is trainable: gamma trains");
        assertTrue(changed(m, before, "conv/kernel:0"));
        assertTrue(changed(m, before, "head/kernel:0"));

        // the same model without training=False: the batch norm uses and updates batch statistics
        Model plain = classifier(base(), null);
        randomize(plain, 6);
        Map<String, Tensor> plainBefore = fitOnce(plain);
        assertTrue(changed(plain, plainBefore, "bn/moving_mean:0"));
        assertNotEquals(values(m).get("head/kernel:0").toArray()[0], values(plain).get("head/kernel:0").toArray()[0]);
    }

    @Test
    void trainingFalseCallGivesTheInferenceOutputInATrainingPass() {
        Model m = classifier(base(), false);
        randomize(m, 7);
        Tensor x = random(8, 4, 6, 6, 2);
        Tensor inference = m.predict(x, 4);
        Tensor training = m.forward(new Tensor[] {x}, true).copy();
        assertArrayEquals(inference.toArray(), training.toArray());
    }

    @Test
    void aFrozenBaseKeepsItsWeightsAndTheHeadTrains() {
        Model base = base();
        Model m = classifier(base, false);
        randomize(m, 9);
        base.setTrainable(false);
        Map<String, Tensor> before = fitOnce(m);
        for (String w : List.of("conv/kernel:0", "conv/bias:0", "bn/gamma:0", "bn/beta:0", "bn/moving_mean:0",
                "conv_b/kernel:0")) {
            assertFalse(changed(m, before, w), w + " changed in a frozen base");
        }
        assertTrue(changed(m, before, "head/kernel:0"));
        assertEquals(2, m.trainableWeights().size());
    }

    @Test
    void severalNamedInputsAreMatchedByName() {
        SymbolicTensor a = Input.of("features_a", 3);
        SymbolicTensor b = Input.of("features_b", 3);
        Model m = new Model(List.of(a, b),
                new Dense(2).name("d").apply(new dev.convey.layers.Subtract().apply(a, b)), "two_inputs");
        randomize(m, 10);
        Tensor xa = random(11, 5, 3);
        Tensor xb = random(12, 5, 3);
        Tensor expected = m.forward(new Tensor[] {xa, xb}, false).copy();
        assertArrayEquals(expected.toArray(), m.predict(Map.of("features_b", xb, "features_a", xa), 2).toArray());
        assertArrayEquals(expected.toArray(), m.predict(Map.of("arr_0", xa, "arr_1", xb), 2).toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.predict(Map.of("features_a", xa, "other", xb), 2));
        assertTrue(e.getMessage().contains("features_b") && e.getMessage().contains("other"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.predict(Map.of("features_a", xa, "features_b", random(1, 5, 4)), 2));
        assertTrue(e.getMessage().contains("'features_b'") && e.getMessage().contains("(None, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.predict(Map.of("features_a", xa, "features_b", xb, "extra", xb), 2));
        assertTrue(e.getMessage().contains("[extra]"), e.getMessage());
    }
}
