package dev.convey.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.data.ArraySequence;
import dev.convey.data.BatchSequence;
import dev.convey.layers.Activation;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.Parameter;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;

class TrainerTest {

    private static final int N = 4;
    private static final int CLASSES = 3;

    /** Conv2D -> BatchNormalization -> ReLU -> MaxPooling2D -> Conv2D -> GlobalAveragePooling2D -> Dense softmax. */
    private static Model smallCnn() {
        Layer.setRandomSeed(7);
        SymbolicTensor in = Input.of(6, 6, 2);
        SymbolicTensor x = new Conv2D(3, 3).padding("same").name("conv_a").apply(in);
        x = new BatchNormalization().name("bn").apply(x);
        x = new Activation("relu").apply(x);
        x = new MaxPooling2D(2).apply(x);
        x = new Conv2D(4, 2).name("conv_b").apply(x);
        x = new GlobalAveragePooling2D().apply(x);
        x = new Dense(CLASSES).activation("softmax").name("head").apply(x);
        return new Model(in, x, "small_cnn");
    }

    private static Tensor randomImages(long seed) {
        Random r = new Random(seed);
        Tensor x = Tensor.zeros(N, 6, 6, 2);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        return x;
    }

    private static Tensor oneHot(int... classes) {
        Tensor y = Tensor.zeros(classes.length, CLASSES);
        for (int i = 0; i < classes.length; i++) {
            y.set(1f, i, classes[i]);
        }
        return y;
    }

    /** The training-mode loss of the model on (x, y), as fit computes it (BN on batch statistics). */
    private static double trainingLoss(Model m, Tensor x, Tensor y) {
        return new CategoricalCrossentropy().compute(m.forward(new Tensor[] {x}, true), y, null);
    }

    /**
     * One full-batch SGD step through fit() equals w - lr * g for every trainable weight, where g is the
     * backpropagated gradient, itself checked against central differences of the loss. The frozen first
     * convolution is bit-identical afterwards and never computed a weight gradient.
     */
    @Test
    void oneFitStepIsGradientDescentWithTheFiniteDifferenceGradient() {
        Model m = smallCnn();
        Tensor x = randomImages(11);
        Tensor y = oneHot(0, 2, 1, 2);
        Layer frozen = m.getLayer("conv_a");
        frozen.setTrainable(false);
        double lr = 0.1;
        m.compile(new SGD(lr), "categorical_crossentropy", "accuracy");
        Trainer trainer = m.trainer();
        assertTrue(trainer.isFusedWithSoftmax());
        List<Parameter> trainable = trainer.trainableWeights();
        // head kernel+bias, conv_b kernel+bias, bn gamma+beta; not conv_a, not the moving statistics.
        assertEquals(6, trainable.size());
        for (Parameter p : trainable) {
            assertFalse(p.layer() == frozen);
        }

        List<Tensor> before = m.getWeights();
        List<Tensor> movingStats = List.of(m.getLayer("bn").weights().get(2).value().copy(),
                m.getLayer("bn").weights().get(3).value().copy());

        // The backpropagated gradient g, from the same forward / fused loss / backward as a training step.
        Tensor out = m.forward(new Tensor[] {x}, true);
        Tensor dOut = Tensor.zeros(out.shape());
        new CategoricalCrossentropy().computeFused(out, y, dOut);
        m.backward(dOut, new boolean[] {false}, true);
        List<Tensor> gradients = new ArrayList<>();
        for (Parameter p : trainable) {
            gradients.add(p.gradient().copy());
        }

        // g against central differences of the training loss, weight by weight.
        double h = 1e-2;
        for (int k = 0; k < trainable.size(); k++) {
            Parameter p = trainable.get(k);
            for (int i = 0; i < p.value().size(); i++) {
                float w = p.value().data().get(i);
                p.value().data().put(i, (float) (w + h));
                p.changed();
                double up = trainingLoss(m, x, y);
                p.value().data().put(i, (float) (w - h));
                p.changed();
                double down = trainingLoss(m, x, y);
                p.value().data().put(i, w);
                p.changed();
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, gradients.get(k).data().get(i), 2e-3 + 2e-2 * Math.abs(numeric),
                        p.fullName() + " element " + i);
            }
        }
        // Restore the moving statistics the extra training-mode forwards moved (fit does not read them).
        m.getLayer("bn").weights().get(2).assign(movingStats.get(0));
        m.getLayer("bn").weights().get(3).assign(movingStats.get(1));
        long passesBefore = m.getLayer("head").weightGradientPasses();

        History history = m.fit(x, y, FitOptions.builder().batchSize(N).epochs(1).shuffle(false).verbose(false).build());

        assertEquals(passesBefore + 1, m.getLayer("head").weightGradientPasses());
        assertEquals(0, frozen.weightGradientPasses());
        for (int k = 0; k < trainable.size(); k++) {
            Parameter p = trainable.get(k);
            Tensor w0 = before.get(m.weights().indexOf(p));
            for (int i = 0; i < w0.size(); i++) {
                double expected = w0.data().get(i) - lr * gradients.get(k).data().get(i);
                assertEquals(expected, p.value().data().get(i), 1e-6, p.fullName() + " element " + i);
            }
        }
        for (int j = 0; j < frozen.weights().size(); j++) {
            assertArrayEquals(before.get(m.weights().indexOf(frozen.weights().get(j))).toArray(),
                    frozen.weights().get(j).value().toArray(), 0f);
        }
        assertEquals(1, history.get("loss").size());
        assertEquals((float) trainingLossWith(before, m, x, y), history.last("loss"), 1e-6);
    }

    /** The loss fit reported is the loss before the step: recompute it with the old weights. */
    private static double trainingLossWith(List<Tensor> weights, Model m, Tensor x, Tensor y) {
        List<Tensor> now = m.getWeights();
        m.setWeights(weights);
        double loss = trainingLoss(m, x, y);
        m.setWeights(now);
        return loss;
    }

    @Test
    void trainingReducesTheLossAndPredictReturnsANewTensor() {
        Model m = smallCnn();
        Tensor x = randomImages(3);
        Tensor y = oneHot(0, 1, 2, 0);
        m.compile(new Adam(0.01), "categorical_crossentropy", "accuracy");
        double first = m.evaluate(x, y, 2).get("loss");
        History h = m.fit(x, y, FitOptions.builder().batchSize(2).epochs(30).verbose(false).seed(5).build());
        assertEquals(30, h.get("loss").size());
        Map<String, Double> after = m.evaluate(x, y, 2);
        assertTrue(after.get("loss") < first, first + " -> " + after);
        Tensor p1 = m.predict(x, 3);
        Tensor p2 = m.predict(x, 4);
        assertArrayEquals(new int[] {N, CLASSES}, p1.shape());
        assertArrayEquals(p1.toArray(), p2.toArray(), 1e-6f);
        assertFalse(p1.data() == p2.data());
    }

    @Test
    void labelsOfTheWrongSizeStopWithBothShapes() {
        Model m = smallCnn();
        m.compile(new SGD(), "categorical_crossentropy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(randomImages(1),
                Tensor.zeros(N, 5), FitOptions.builder().batchSize(N).verbose(false).build()));
        assertTrue(e.getMessage().contains("(4, 5)") && e.getMessage().contains("(4, 3)"), e.getMessage());
    }

    /** A saver writing the weights as raw floats, and its reader. */
    private static final ModelSaver RAW_SAVER = (model, path) -> {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(path))) {
            for (Tensor t : model.getWeights()) {
                for (float v : t.toArray()) {
                    out.writeFloat(v);
                }
            }
        }
    };

    private static float[] readRaw(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        float[] out = new float[bytes.length / 4];
        try (DataInputStream in = new DataInputStream(Files.newInputStream(path))) {
            for (int i = 0; i < out.length; i++) {
                out[i] = in.readFloat();
            }
        }
        return out;
    }

    private static float[] flatWeights(Layer m) {
        List<Float> all = new ArrayList<>();
        for (Tensor t : m.getWeights()) {
            for (float v : t.toArray()) {
                all.add(v);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    /** Batches of the real data, except that in the second epoch the second batch holds a NaN pixel. */
    private static final class NaNInSecondEpoch implements BatchSequence {
        private final ArraySequence data;
        private int epoch;

        NaNInSecondEpoch(Tensor x, Tensor y) {
            data = new ArraySequence(x, y, 2);
        }

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public Batch get(int index) {
            Batch b = data.get(index);
            if (epoch == 1 && index == 1) {
                Tensor x = b.x().copy();
                x.data().put(5, Float.NaN);
                return new Batch(x, b.y());
            }
            return b;
        }

        @Override
        public void onEpochEnd() {
            epoch++;
        }

        @Override
        public int sampleCount() {
            return data.sampleCount();
        }
    }

    @Test
    void aNaNLossStopsTrainingNamingEpochAndBatchAndKeepsTheCheckpoint(@TempDir Path dir) throws IOException {
        Model m = smallCnn();
        m.compile(new SGD(0.05), "categorical_crossentropy", "accuracy");
        Path checkpoint = dir.resolve("weights.bin");
        float[][] afterEpoch = new float[1][];
        float[][] afterBatch = new float[1][];
        Callback remember = new Callback() {
            @Override
            public void onBatchEnd(int batch, int samplesSeen, Map<String, Double> logs) {
                afterBatch[0] = flatWeights(m);
            }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs) {
                afterEpoch[0] = flatWeights(m);
            }
        };
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> m.trainer().fit(new NaNInSecondEpoch(randomImages(2), oneHot(0, 1, 2, 1)), 3, null, false,
                        List.of(new ModelCheckpoint(checkpoint.toString(), RAW_SAVER), remember)));
        assertTrue(e.getMessage().contains("epoch 2/3, batch 2/2"), e.getMessage());
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertEquals(1, e.epoch());
        assertEquals(1, e.batch());
        // The checkpoint of epoch 1 is intact and loads; no temporary file is left behind.
        assertArrayEquals(afterEpoch[0], readRaw(checkpoint), 0f);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList(), "temporary files left");
        }
        // The bad batch changed nothing, not even BatchNormalization's moving statistics: the weights are those
        // after the first batch of epoch 2, all finite.
        assertArrayEquals(afterBatch[0], flatWeights(m), 0f);
        for (float v : flatWeights(m)) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void aHugeLearningRateDivergesIntoTheSameClearError() {
        Layer.setRandomSeed(3);
        SymbolicTensor in = Input.of(4);
        Model m = new Model(in, new Dense(1).apply(in), "regression");
        m.compile(new SGD(1e6), "mse");
        Tensor x = Tensor.full(3f, 8, 4);
        Tensor y = Tensor.full(1f, 8, 1);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> m.fit(x, y, FitOptions.builder().batchSize(8).epochs(50).verbose(false).build()));
        assertTrue(e.getMessage().startsWith("Loss mean_squared_error is "), e.getMessage());
        assertTrue(e.getMessage().contains("batch 1/1"), e.getMessage());
    }

    @Test
    void validationSplitAndEarlyStoppingThroughFit() {
        Model m = smallCnn();
        Tensor x = randomImages(9);
        m.compile(new SGD(1e-9), "categorical_crossentropy", "accuracy");
        EarlyStopping stop = new EarlyStopping("val_loss", 1, 0.5, false);
        History h = m.fit(x, oneHot(0, 1, 2, 0), FitOptions.builder().batchSize(2).epochs(20).validationSplit(0.5)
                .callbacks(stop).verbose(false).build());
        // With a negligible learning rate val_loss never improves by 0.5: epoch 0 sets the best, epoch 1 stops.
        assertEquals(List.of(0, 1), h.epochs());
        assertEquals(1, stop.stoppedEpoch());
        assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), new ArrayList<>(h.history().keySet()));
    }
}
