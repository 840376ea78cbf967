package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Dropout;
import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Tensor;

/** Graph structure, Keras' layer order, trainable flags, errors and summary of functional and Sequential models. */
class ModelTest {

    private static BatchNormalization bn(String name) {
        BatchNormalization b = new BatchNormalization();
        b.name(name);
        return b;
    }

    private static Layer named(Layer layer, String name) {
        return layer.name(name);
    }

    private static List<String> names(List<Layer> layers) {
        List<String> out = new ArrayList<>();
        for (Layer l : layers) {
            out.add(l.name());
        }
        return out;
    }

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }

    private static void assertMessageHas(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    /** The shape of a ResNet block: the shortcut branch is the first argument of Add, as in Keras' ResNet50. */
    @Test
    void layersComeInKerasOrderShortcutFirstAtEqualDepth() {
        SymbolicTensor x = Input.of("in", 4, 4, 2);
        SymbolicTensor a = bn("a1").apply(x);
        a = bn("a2").apply(a);
        a = bn("a3").apply(a);
        SymbolicTensor s = bn("s0").apply(x);
        SymbolicTensor y = named(new Add(), "add").apply(s, a);
        Model m = new Model(x, y, "block");
        // Depths from the output: add 0; s0, a3 1; a2 2; a1 3; in 4. Ties by first visit: s0 before a3.
        assertEquals(List.of("in", "a1", "a2", "s0", "a3", "add"), names(m.layers()));
        assertEquals(List.of("a1", "a2", "s0", "a3"), names(List.copyOf(weightOwners(m))));
    }

    private static List<Layer> weightOwners(Model m) {
        List<Layer> owners = new ArrayList<>();
        for (Parameter p : m.weights()) {
            if (!owners.contains(p.layer())) {
                owners.add(p.layer());
            }
        }
        return owners;
    }

    @Test
    void forwardEqualsTheLayersAppliedByHand() {
        Random r = new Random(5);
        SymbolicTensor x = Input.of(3, 3, 2);
        BatchNormalization b1 = new BatchNormalization();
        BatchNormalization b2 = new BatchNormalization();
        Add add = new Add();
        Concatenate cat = new Concatenate();
        SymbolicTensor h = b1.apply(x);
        SymbolicTensor y = cat.apply(add.apply(h, b2.apply(h)), x);
        Model m = new Model(x, y, null);
        ModelGradientTest.randomize(m, 4);
        Tensor in = random(r, 2, 3, 3, 2);
        float[] out = m.forward(in).toArray();
        Tensor hv = b1.forward(in).copy();
        Tensor sum = add.forward(new Tensor[] {hv, b2.forward(hv)}, false).copy();
        assertArrayEquals(cat.forward(new Tensor[] {sum, in}, false).toArray(), out);
        assertArrayEquals(new int[] {3, 3, 4}, m.output().shape());
        assertTrue(m.name().startsWith("model"), m.name());
    }

    @Test
    void aFrozenNestedBaseDoesNoBackwardWork() {
        SymbolicTensor x = Input.of(2, 2, 3);
        BatchNormalization base1 = bn("base_bn1");
        BatchNormalization base2 = bn("base_bn2");
        Model base = new Model(x, base2.apply(base1.apply(x)), "base");

        SymbolicTensor in = Input.of(2, 2, 3);
        Probe below = new Probe("between");
        BatchNormalization head = bn("head_bn");
        Model model = new Model(in, head.apply(below.apply(base.apply(in))), "transfer");
        assertEquals(List.of(in.layer(), base, below, head), model.layers());

        base.setTrainable(false);
        assertFalse(base1.isTrainable());
        assertEquals(List.of(head.gamma(), head.beta()), model.trainableWeights());
        model.snapshotTrainable();
        assertFalse(base2.isTrainableWhenCompiled());

        Tensor batch = random(new Random(6), 4, 2, 2, 3);
        model.forward(new Tensor[] {batch}, true);
        Tensor[] dx = model.backward(Tensor.full(1f, 4, 2, 2, 3), new boolean[] {false}, true);
        assertNull(dx[0]);
        assertEquals(0, base1.weightGradientPasses());
        assertEquals(0, base2.weightGradientPasses());
        assertEquals(1, head.weightGradientPasses());
        assertEquals(0, below.backwardCalls, "nothing below the first trainable layer runs backward");
        assertEquals(1, model.nodesRunningBackward());

        // Unfreezing takes effect at the next compile (snapshot), as in Keras.
        base.setTrainable(true);
        model.forward(new Tensor[] {batch}, true);
        model.backward(Tensor.full(1f, 4, 2, 2, 3), new boolean[] {false}, true);
        assertEquals(0, base1.weightGradientPasses());
        model.snapshotTrainable();
        model.forward(new Tensor[] {batch}, true);
        model.backward(Tensor.full(1f, 4, 2, 2, 3), new boolean[] {false}, true);
        assertEquals(1, base1.weightGradientPasses());
        assertEquals(1, below.backwardCalls);
        assertTrue(below.inputGradientRequested);
    }

    @Test
    void freezeUpToAndTrainOnlyLastFollowKerasLayerOrder() {
        SymbolicTensor x = Input.of("in", 4);
        SymbolicTensor h = x;
        for (String n : List.of("b1", "b2", "b3")) {
            h = bn(n).apply(h);
        }
        h = named(new Dropout(0.1), "drop").apply(h);
        Model m = new Model(x, h, "chain");

        m.freezeUpTo("b2");
        assertEquals(List.of(false, false, false, true, true), flags(m));
        m.trainOnlyLast(1); // model.layers[:-1] frozen: only the weightless dropout stays trainable
        assertEquals(List.of(false, false, false, false, true), flags(m));
        assertEquals(0, m.trainableWeights().size());
        m.trainOnlyLast(2);
        assertEquals(List.of(false, false, false, true, true), flags(m));
        assertEquals(2, m.trainableWeights().size());
        m.setTrainable(false);
        assertEquals(List.of(false, false, false, false, false), flags(m));
        assertEquals(12, m.nonTrainableWeights().size());
    }

    private static List<Boolean> flags(Model m) {
        List<Boolean> out = new ArrayList<>();
        for (Layer l : m.layers()) {
            out.add(l.isTrainable());
        }
        return out;
    }

    @Test
    void getLayerNamesTheClosestLayersAndOutputOfCutsTheModel() {
        SymbolicTensor x = Input.of("in", 2, 2, 1);
        SymbolicTensor y = bn("block5_pool").apply(bn("block4_pool").apply(x));
        Model m = new Model(x, named(new Dropout(0.5), "top").apply(y), "vgg");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getLayer("block5_pol"));
        assertMessageHas(e, "vgg", "block5_pol", "Closest names: [block5_pool, block4_pool");

        Model features = new Model(m.inputs(), m.outputOf("block5_pool"), "features");
        assertEquals(List.of("in", "block4_pool", "block5_pool"), names(features.layers()));
        assertSame(m.getLayer("block5_pool"), features.getLayer("block5_pool"));
    }

    @Test
    void wrongInputsAreReportedWithTheModelAndBothShapes() {
        SymbolicTensor x = Input.of(8, 8, 3);
        Model m = new Model(x, bn("norm").apply(x), "net");
        assertMessageHas(assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 8, 8))),
                "'net'", "(None, 8, 8, 3)", "(None, 8, 8)");
        assertMessageHas(assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 8, 8, 4))),
                "'net'", "(None, 8, 8, 3)", "(None, 8, 8, 4)");

        SymbolicTensor a = Input.of("a", 5);
        SymbolicTensor b = Input.of("b", 5);
        Model two = new Model(List.of(a, b), named(new Add(), "join").apply(a, b), "two");
        assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> two.forward(new Tensor[] {Tensor.zeros(2, 5), Tensor.zeros(3, 5)}, false)), "(2, 5)", "(3, 5)");
        assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> named(new Add(), "bad_add").apply(Input.of(8, 8, 4), Input.of(8, 8, 5))),
                "bad_add", "(None, 8, 8, 4)", "(None, 8, 8, 5)");
    }

    @Test
    void graphErrorsAreExplained() {
        SymbolicTensor a = Input.of("first", 3);
        SymbolicTensor b = Input.of("second", 3);
        SymbolicTensor sum = new Add().apply(a, b);
        assertMessageHas(assertThrows(IllegalArgumentException.class, () -> new Model(a, sum, "half")),
                "disconnected", "second");
        BatchNormalization shared = new BatchNormalization();
        SymbolicTensor twice = shared.apply(shared.apply(a));
        assertMessageHas(assertThrows(IllegalArgumentException.class, () -> new Model(a, twice, "shared")),
                shared.name(), "more than once");
    }

    @Test
    void summaryMatchesKerasLayout() {
        SymbolicTensor x = Input.of("img", 4, 4, 3);
        BatchNormalization frozen = bn("bn_b");
        SymbolicTensor s = named(new Add(), "sum").apply(bn("bn_a").apply(x), frozen.apply(x));
        SymbolicTensor c = named(new Concatenate(), "cat").apply(s, x);
        Model m = new Model(x, named(new Dropout(0.5), "drop").apply(c), "small");
        frozen.setTrainable(false);
        String rule = "_".repeat(98);
        List<String> expected = List.of(
                "Model: \"small\"",
                rule,
                "Layer (type)                    Output Shape         Param #     Connected to",
                "=".repeat(98),
                "img (InputLayer)                (None, 4, 4, 3)      0",
                rule,
                "bn_a (BatchNormalization)       (None, 4, 4, 3)      12          img[0][0]",
                rule,
                "bn_b (BatchNormalization)       (None, 4, 4, 3)      12          img[0][0]",
                rule,
                "sum (Add)                       (None, 4, 4, 3)      0           bn_a[0][0]",
                "                                                                 bn_b[0][0]",
                rule,
                "cat (Concatenate)               (None, 4, 4, 6)      0           sum[0][0]",
                "                                                                 img[0][0]",
                rule,
                "drop (Dropout)                  (None, 4, 4, 6)      0           cat[0][0]",
                "=".repeat(98),
                "Total params: 24",
                "Trainable params: 6",
                "Non-trainable params: 18",
                rule);
        assertSummary(expected, m.summary(), 98);
    }

    @Test
    void sequentialSummaryUsesThreeColumnsAndGroupsThousands() {
        Sequential m = new Sequential("seq");
        m.add(new InputLayer(2000));
        m.add(bn("a_rather_long_batch_normalization_name"));
        m.add(named(new Dropout(0.2), "dropout_for_test"));
        String rule = "_".repeat(65);
        List<String> expected = List.of(
                "Model: \"seq\"",
                rule,
                "Layer (type)                 Output Shape              Param #",
                "=".repeat(65),
                "a_rather_long_batch_normaliz (None, 2000)              8000",
                rule,
                "dropout_for_test (Dropout)   (None, 2000)              0",
                "=".repeat(65),
                "Total params: 8,000",
                "Trainable params: 4,000",
                "Non-trainable params: 4,000",
                rule);
        assertSummary(expected, m.summary(), 65);
    }

    /** Keras pads every table row to the full width; compare the text and that width. */
    private static void assertSummary(List<String> expected, String actual, int width) {
        String[] lines = actual.split("\n");
        List<String> stripped = new ArrayList<>();
        for (String l : lines) {
            stripped.add(l.stripTrailing());
            if (!l.startsWith("Model:") && !l.contains("params:")) {
                assertEquals(width, l.length(), "width of '" + l + "'");
            }
        }
        assertEquals(String.join("\n", expected), String.join("\n", stripped));
    }

    @Test
    void sequentialBuildsFromAnInputLayerOrOnFirstUse() {
        InputLayer input = new InputLayer(6);
        BatchNormalization b = bn("seq_bn");
        Dropout d = new Dropout(0.5);
        Sequential m = new Sequential(input, b, d);
        assertEquals(List.of(b, d), m.layers(), "Keras' Sequential.layers leaves out the InputLayer");
        assertTrue(b.isBuilt());
        assertArrayEquals(new int[] {6}, m.output().shape());
        assertSame(SymbolicTensor.of(input), m.input());
        assertTrue(m.name().startsWith("sequential"), m.name());

        Sequential deferred = new Sequential();
        BatchNormalization late = new BatchNormalization();
        deferred.add(late);
        assertFalse(late.isBuilt());
        assertThrows(IllegalStateException.class, deferred::summary);
        Tensor x = random(new Random(8), 3, 7);
        assertArrayEquals(late.forward(x).toArray(), deferred.forward(x).toArray());
        assertArrayEquals(new int[] {7}, deferred.output().shape());
        assertMessageHas(assertThrows(IllegalArgumentException.class, () -> deferred.add(new InputLayer(7))),
                "first layer");

        // A model as first layer gives its input shape, as with a pretrained base in Keras.
        Sequential stacked = new Sequential(m, new Dropout(0.1));
        assertArrayEquals(new int[] {6}, stacked.input().shape());
        assertEquals(m.countParams(), stacked.countParams());
    }
}
