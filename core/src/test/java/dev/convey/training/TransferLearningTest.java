package dev.convey.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.data.ArraySequence;
import dev.convey.layers.Activation;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransferLearningTest {

    /** conv1 -> bn1 -> relu -> conv2 -> bn2 -> relu, with non-trivial moving statistics. */
    private static Model base() {
        Layer.setRandomSeed(3);
        SymbolicTensor in = Input.of(6, 6, 2);
        SymbolicTensor x = new Conv2D(3, 3).padding("same").name("conv1").apply(in);
        x = new BatchNormalization().name("bn1").apply(x);
        x = new Activation("relu").apply(x);
        x = new Conv2D(4, 3).name("conv2").apply(x);
        x = new BatchNormalization().name("bn2").apply(x);
        x = new Activation("relu").apply(x);
        Model base = new Model(in, x, "base");
        for (String bn : List.of("bn1", "bn2")) {
            BatchNormalization layer = (BatchNormalization) base.getLayer(bn);
            int c = layer.movingMean().value().size();
            layer.movingMean().assign(Tensor.of(random(new Random(c), c, 0.5f, 0f), c));
            layer.movingVariance().assign(Tensor.of(random(new Random(c + 1), c, 0.5f, 1f), c));
        }
        return base;
    }

    private static float[] random(Random r, int n, float scale, float offset) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + scale * r.nextFloat();
        }
        return v;
    }

    @Test
    void fineTuningChangesOnlyTheUnfrozenLayersAndNoBatchNormStatistics() {
        Model base = base();
        TransferLearning tl = TransferLearning.on(base).head("gap,dense:5:relu,dropout:0.1").classes(3);
        Model model = tl.build();
        Tensor x = Tensor.of(random(new Random(7), 16 * 6 * 6 * 2, 2f, -1f), 16, 6, 6, 2);
        Tensor y = Tensor.zeros(16, 3);
        for (int i = 0; i < 16; i++) {
            y.data().put(i * 3 + i % 3, 1f);
        }
        ArraySequence train = new ArraySequence(x, y, 4, true, 1);

        Map<String, float[]> before = snapshot(model);
        tl.trainHead(new Adam(0.01), train, null, 2);
        Map<String, float[]> afterHead = snapshot(model);
        for (Parameter p : base.weights()) {
            assertArrayEquals(before.get(p.fullName()), afterHead.get(p.fullName()), p.fullName() + " frozen");
        }
        String kernel = model.getLayer("predictions").weights().get(0).fullName();
        assertFalse(java.util.Arrays.equals(before.get(kernel), afterHead.get(kernel)), "the head trains: " + kernel);

        // Top 3 layers of the base: conv2, bn2, relu. conv2 trains; bn2 keeps moving statistics: stays frozen.
        List<Layer> unfrozen = TransferLearning.unfreezeTop(base, 3);
        assertEquals(List.of("conv2"), unfrozen.stream().map(Layer::name).toList());
        tl.fineTune(3, new SGD(0.05, 0.9, false), train, null, 2);
        Map<String, float[]> afterFineTune = snapshot(model);
        for (Parameter p : base.weights()) {
            boolean changed = !java.util.Arrays.equals(afterHead.get(p.fullName()), afterFineTune.get(p.fullName()));
            assertEquals(p.layer().name().equals("conv2"), changed, p.fullName()
                    + (changed ? " changed" : " did not change"));
        }
        assertTrue(base.getLayer("bn2").nonTrainableWeights().size() == 4, "bn2 frozen: gamma, beta, mean, var");
        assertThrows(IllegalArgumentException.class, () -> TransferLearning.unfreezeTop(base, 99));
    }

    @Test
    void cachedFeaturesTrainTheSameHeadLayers() {
        Model base = base();
        TransferLearning tl = TransferLearning.on(base).head("gap").classes(2);
        Model model = tl.build();
        Tensor x = Tensor.of(random(new Random(9), 8 * 6 * 6 * 2, 2f, -1f), 8, 6, 6, 2);
        Tensor y = Tensor.zeros(8, 2);
        for (int i = 0; i < 8; i++) {
            y.data().put(i * 2 + i % 2, 1f);
        }
        Tensor[] features = tl.extractFeatures(new ArraySequence(x, y, 3), 3);
        assertArrayEquals(new int[] {8, 4, 4, 4}, features[0].shape());
        assertArrayEquals(y.toArray(), features[1].toArray());
        float[] kernel = model.getLayer("predictions").weights().get(0).value().toArray();
        tl.trainHeadOnFeatures(new Adam(0.01), features, null, 4, 2, 1);
        assertFalse(java.util.Arrays.equals(kernel, model.getLayer("predictions").weights().get(0).value().toArray()),
                "the full model's head is the one trained on the features");
        // The full model on images = the head on the cached features.
        model.compile(new Adam(), "categorical_crossentropy", "accuracy");
        double full = model.evaluate(x, y, 8).get("loss");
        assertEquals(full, tl.headModel().evaluate(features[0], features[1], 8).get("loss"), 1e-5);
    }

    private static Map<String, float[]> snapshot(Model m) {
        Map<String, float[]> s = new HashMap<>();
        for (Parameter p : m.weights()) {
            s.put(p.fullName(), p.value().toArray());
        }
        return s;
    }
}
