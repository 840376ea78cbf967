package dev.convey.keras;

import static dev.convey.keras.KerasWeightsTest.assertSameWeights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ResNet50;
import dev.convey.applications.VGG16;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.Sequential;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;
import dev.convey.training.Adam;
import dev.convey.training.FitOptions;

/** Every model Convey builds survives save -> load in .keras, .weights.h5 and .h5, bit for bit. */
class KerasRoundTripTest {

    @TempDir
    Path dir;

    private static Model tinyVgg16() {
        return VGG16.create(new ApplicationOptions().widthDivisor(16).inputShape(64, 64, 3)
                .weights(TestData.file("applications/tiny_vgg16_keras2.h5").toString()));
    }

    private static Model tinyResNet50() {
        return ResNet50.create(new ApplicationOptions().widthDivisor(16).inputShape(64, 64, 3)
                .weights(TestData.file("applications/tiny_resnet50_keras2.h5").toString()));
    }

    /** The transfer-learning guide's shape: a base model called as a layer of the classifier. */
    static Model nested(long seed) {
        SymbolicTensor in = Input.of(12, 12, 3);
        SymbolicTensor h = new Conv2D(4, 3).activation("relu").name("conv").apply(in);
        h = new BatchNormalization().name("bn").apply(h);
        Model base = new Model(in, new Conv2D(5, 3).name("conv_b").apply(h), "base");
        SymbolicTensor x = Input.of(12, 12, 3);
        SymbolicTensor f = new GlobalAveragePooling2D().apply(base.apply(x));
        Model m = new Model(x, new Dense(3).activation("softmax").name("head").apply(f), "classifier");
        randomize(m, seed);
        return m;
    }

    static void randomize(Model m, long seed) {
        Random r = new Random(seed);
        for (var p : m.weights()) {
            Tensor t = Tensor.zeros(p.value().shape());
            for (int i = 0; i < t.size(); i++) {
                t.data().put(i, (float) (r.nextGaussian() * 0.3 + (p.name().contains("variance") ? 1.5 : 0)));
            }
            p.assign(t);
        }
    }

    static Tensor input(int n, long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(n, 64, 64, 3);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }

    private void roundTrip(Supplier<Model> build, Tensor x) {
        roundTrip(dir, build, x);
    }

    /** save -> load in .keras and .h5, and .weights.h5 into a fresh model: the same weights and outputs, bit for bit. */
    static void roundTrip(Path dir, Supplier<Model> build, Tensor x) {
        Model original = build.get();
        Tensor expected = original.predict(x, 2);
        for (String name : List.of("m.keras", "m.h5")) {
            Path file = dir.resolve(name);
            KerasFiles.save(original, file);
            Model loaded = KerasFiles.loadModel(file);
            assertSameWeights(original, loaded);
            assertArrayEquals(expected.toArray(), loaded.predict(x, 2).toArray(), name);
        }
        Path weights = dir.resolve("m.weights.h5");
        KerasFiles.save(original, weights);
        assertEquals(KerasFiles.Format.KERAS3_WEIGHTS_H5, KerasFiles.format(weights));
        Model fresh = build.get();
        randomize(fresh, 99);
        KerasFiles.loadWeights(fresh, weights);
        assertSameWeights(original, fresh);
        assertArrayEquals(expected.toArray(), fresh.predict(x, 2).toArray(), "m.weights.h5");
    }

    @Test
    void tinyVgg16SurvivesEveryFormat() {
        roundTrip(KerasRoundTripTest::tinyVgg16, input(2, 1));
    }

    @Test
    void tinyResNet50SurvivesEveryFormat() {
        roundTrip(KerasRoundTripTest::tinyResNet50, input(2, 2));
    }

    @Test
    void nestedModelSurvivesEveryFormat() {
        Tensor x = Tensor.zeros(2, 12, 12, 3);
        Random r = new Random(3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        roundTrip(() -> nested(5), x);
    }

    /** The guide's fine-tuning set-up: {@code base(x, training=False)}, the base frozen or not. */
    static Model nestedInInferenceMode(long seed, boolean frozen) {
        SymbolicTensor in = Input.of(12, 12, 3);
        SymbolicTensor h = new Conv2D(4, 3).activation("relu").name("conv").apply(in);
        h = new BatchNormalization().name("bn").apply(h);
        Model base = new Model(in, new Conv2D(5, 3).name("conv_b").apply(h), "base");
        SymbolicTensor x = Input.of(12, 12, 3);
        SymbolicTensor f = new GlobalAveragePooling2D().apply(base.apply(false, x));
        Model m = new Model(x, new Dense(3).activation("softmax").name("head").apply(f), "classifier");
        randomize(m, seed);
        base.setTrainable(!frozen);
        return m;
    }

    /**
     * A frozen or trainable base called with training=False: every format keeps the weights, the outputs, the
     * base's trainable flag and the call's training=False, and fit on the loaded model leaves the base's
     * moving statistics alone (and its weights, when frozen) exactly as on the original.
     */
    @Test
    void nestedBaseInInferenceModeSurvivesEveryFormatAndTrainsAlike() {
        Tensor x = input(4, 12, 12, 3, 21);
        Tensor y = Tensor.zeros(4, 3);
        for (int i = 0; i < 4; i++) {
            y.data().put(i * 3 + i % 3, 1f);
        }
        FitOptions options = FitOptions.builder().batchSize(4).epochs(1).shuffle(false).verbose(false).build();
        for (boolean frozen : new boolean[] {true, false}) {
            roundTrip(() -> nestedInInferenceMode(3, frozen), x);
            Model original = nestedInInferenceMode(3, frozen);
            for (String name : List.of("n.keras", "n.h5")) {
                Path file = dir.resolve(name);
                KerasFiles.save(original, file);
                Model loaded = KerasFiles.loadModel(file);
                assertEquals(Boolean.FALSE, loaded.outputOf("base").training(), name);
                assertEquals(!frozen, loaded.getLayer("base").isTrainable(), name);
                Tensor mean = ((Model) loaded.getLayer("base")).getLayer("bn").weights().get(2).value().copy();
                Tensor kernel = ((Model) loaded.getLayer("base")).getLayer("conv").weights().get(0).value().copy();
                Model reference = nestedInInferenceMode(3, frozen);
                for (Model m : List.of(reference, loaded)) {
                    m.compile(new dev.convey.training.SGD(0.1), "categorical_crossentropy");
                    m.fit(x, y, options);
                }
                assertSameWeights(reference, loaded);
                Model base = (Model) loaded.getLayer("base");
                assertArrayEquals(mean.toArray(), base.getLayer("bn").weights().get(2).value().toArray(),
                        name + ": moving mean updated under training=False");
                assertEquals(frozen, java.util.Arrays.equals(kernel.toArray(),
                        base.getLayer("conv").weights().get(0).value().toArray()), name + " frozen " + frozen);
            }
        }
    }

    private static Tensor input(int n, int h, int w, int c, long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(n, h, w, c);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }

    /** One model with every layer added for Keras 3 files (the noise layers are the identity in inference). */
    static Model everyNewLayer(long seed) {
        SymbolicTensor in = Input.of(8, 8, 3);
        SymbolicTensor h = new Conv2D(4, 3).padding("same").activation("silu").apply(in);
        h = new dev.convey.layers.LeakyReLU(0.2).apply(h);
        SymbolicTensor a = new dev.convey.layers.ELU(0.8).apply(h);
        SymbolicTensor b = new dev.convey.layers.PReLU(1, 2).apply(h);
        SymbolicTensor merged = new dev.convey.layers.Concatenate(-1).apply(
                new dev.convey.layers.Subtract().apply(a, b), new dev.convey.layers.Average().apply(a, b),
                new dev.convey.layers.Maximum().apply(a, b), new dev.convey.layers.Minimum().apply(a, b));
        h = new dev.convey.layers.SpatialDropout2D(0.2).apply(merged);
        h = new dev.convey.layers.GaussianNoise(0.1).apply(h);
        h = new dev.convey.layers.GaussianDropout(0.1).apply(h);
        h = new dev.convey.layers.UpSampling2D(new int[] {2, 2}, "bilinear").apply(h);
        h = new dev.convey.layers.UpSampling2D(1, 2).apply(h);
        h = new dev.convey.layers.Cropping2D(new int[][] {{1, 2}, {0, 3}}).apply(h);
        h = new dev.convey.layers.Softmax(-1).apply(h);
        h = new dev.convey.layers.Identity().apply(h);
        h = new GlobalAveragePooling2D().apply(h);
        h = new dev.convey.layers.RepeatVector(2).apply(h);
        h = new dev.convey.layers.Permute(2, 1).apply(h);
        h = new Flatten().apply(h);
        h = new Dense(3).activation("mish").apply(h);
        Model m = new Model(in, new dev.convey.layers.Activation("softmax").apply(h), "every_new_layer");
        randomize(m, seed);
        return m;
    }

    @Test
    void modelWithEveryNewLayerSurvivesEveryFormat() {
        Tensor x = Tensor.zeros(2, 8, 8, 3);
        Random r = new Random(7);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        roundTrip(() -> everyNewLayer(9), x);
    }

    /**
     * MobileNet's top: GlobalAveragePooling2D(keepdims=True) keeps the (1, 1, c) map a 1x1 convolution reads. The
     * files carry {@code keepdims}, or the loaded model (in Keras or here) would feed (batch, c) to the convolution.
     */
    @Test
    void globalPoolingWithKeepdimsSurvivesEveryFormat() {
        Supplier<Model> build = () -> {
            SymbolicTensor in = Input.of(5, 5, 3);
            SymbolicTensor h = new GlobalAveragePooling2D().keepdims(true).apply(in);
            SymbolicTensor g = new dev.convey.layers.GlobalMaxPooling2D().keepdims(true).apply(in);
            h = new Conv2D(4, 1).apply(new dev.convey.layers.Add().apply(h, g));
            Model m = new Model(in, new dev.convey.layers.Reshape(4).apply(h), "keepdims");
            randomize(m, 5);
            return m;
        };
        roundTrip(build, input(2, 5, 5, 3, 11));
        Path file = dir.resolve("k.keras");
        KerasFiles.save(build.get(), file);
        Model loaded = KerasFiles.loadModel(file);
        assertArrayEquals(new int[] {1, 1, 3}, loaded.layers().get(1).build(loaded.layers().get(1).inputShapes()));
    }

    @Test
    void modelWithEveryPreprocessingLayerSurvivesEveryFormat() {
        Tensor x = Tensor.zeros(2, 9, 12, 3);
        Random r = new Random(8);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) (r.nextDouble() * 255));
        }
        roundTrip(() -> KerasPreprocessingLayersTest.everyPreprocessingLayer(3), x);
    }

    @Test
    void nestedModelsAreWrittenUnderTheirContainer() {
        Path file = dir.resolve("nested.keras");
        KerasArchive.save(nested(5), file);
        List<String> paths = Keras3LayoutTest.datasetPaths(file);
        assertTrue(paths.contains("layers/functional/layers/conv2d/vars/0"), paths.toString());
        assertTrue(paths.contains("layers/functional/layers/conv2d_1/vars/1"), paths.toString());
        assertTrue(paths.contains("layers/functional/layers/batch_normalization/vars/3"), paths.toString());
        assertTrue(paths.contains("layers/dense/vars/0"), paths.toString());
    }

    static java.util.stream.Stream<Supplier<dev.convey.training.Optimizer>> optimizers() {
        return java.util.stream.Stream.of(() -> new Adam(0.01),
                () -> new dev.convey.training.RMSprop(0.01, 0.9, 0, 1e-7, false),
                () -> new dev.convey.training.RMSprop(0.01, 0.9, 0.5, 1e-7, false),
                () -> new dev.convey.training.RMSprop(0.01, 0.8, 0.5, 1e-7, true),
                () -> new dev.convey.training.SGD(0.05, 0.9, false),
                () -> new dev.convey.training.SGD(0.05, 0.9, true));
    }

    /**
     * fit(N) + save + load + fit(M) gives the same weights as fit(N + M) in one go: the optimizer's step count and
     * slots (Adam's moments, RMSprop's velocity, momentum and mean gradient, SGD's momentum) come back from
     * optimizer/vars, with the settings from compile_config.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("optimizers")
    void resumedFitContinuesExactly(Supplier<dev.convey.training.Optimizer> optimizer) {
        Tensor x = Tensor.zeros(32, 6);
        Tensor y = Tensor.zeros(32, 3);
        Random r = new Random(4);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        for (int i = 0; i < 32; i++) {
            y.data().put(i * 3 + r.nextInt(3), 1f);
        }
        Supplier<Model> build = () -> {
            Sequential m = new Sequential("resume");
            m.add(new dev.convey.layers.InputLayer(6));
            m.add(new Dense(8).activation("relu"));
            m.add(new Dense(3).activation("softmax"));
            randomize(m, 6);
            m.compile(optimizer.get(), "categorical_crossentropy", "accuracy");
            return m;
        };
        FitOptions options = FitOptions.builder().batchSize(8).epochs(1).shuffle(false).verbose(false).build();
        Model straight = build.get();
        for (int e = 0; e < 3; e++) {
            straight.fit(x, y, options);
        }
        Model first = build.get();
        first.fit(x, y, options);
        Path file = dir.resolve("resume.keras");
        KerasArchive.save(first, file);
        KerasArchive.Loaded loaded = KerasArchive.loadWithNotes(file);
        assertEquals(List.of(), loaded.notes());
        Model resumed = loaded.model();
        assertEquals(first.trainer().optimizer().getConfig(), resumed.trainer().optimizer().getConfig());
        assertEquals(4, resumed.trainer().optimizer().iterations());
        resumed.fit(x, y, options);
        resumed.fit(x, y, options);
        assertSameWeights(straight, resumed);
        Model notResumed = build.get();
        notResumed.fit(x, y, options);
        notResumed.compile(optimizer.get(), "categorical_crossentropy"); // a fresh optimizer state
        notResumed.fit(x, y, options);
        notResumed.fit(x, y, options);
        assertTrue(!java.util.Arrays.equals(straight.weights().get(0).value().toArray(),
                notResumed.weights().get(0).value().toArray()), "the test must see a lost optimizer state");
    }

    /**
     * optimizer/vars follows the Keras optimizers' build(): iteration, learning_rate, then Adam's momentum and
     * velocity interleaved per weight, RMSprop's velocities of all weights, then all momentums, then all
     * average gradients (keras/src/optimizers/adam.py, rmsprop.py).
     */
    @Test
    void optimizerVariablesAreInKerasCreationOrder() {
        for (dev.convey.training.Optimizer o : List.of(new Adam(0.01),
                new dev.convey.training.RMSprop(0.01, 0.9, 0.5, 1e-7, true))) {
            Sequential m = new Sequential("order");
            m.add(new dev.convey.layers.InputLayer(3));
            m.add(new Dense(2));
            randomize(m, 1);
            m.compile(o, "mean_squared_error");
            m.fit(Tensor.full(0.5f, 4, 3), Tensor.full(0.1f, 4, 2),
                    FitOptions.builder().batchSize(4).epochs(2).shuffle(false).verbose(false).build());
            Path file = dir.resolve("order.weights.h5");
            KerasArchive.writeWeights(m, file, true);
            var kernel = m.trainer().trainableWeights().get(0);
            var bias = m.trainer().trainableWeights().get(1);
            Tensor[][] expected = o instanceof Adam
                    ? new Tensor[][] {{o.slots(kernel)[0], o.slots(kernel)[1], o.slots(bias)[0], o.slots(bias)[1]}}
                    : new Tensor[][] {{o.slots(kernel)[0], o.slots(bias)[0], o.slots(kernel)[1], o.slots(bias)[1],
                            o.slots(kernel)[2], o.slots(bias)[2]}};
            try (Hdf5File f = Hdf5File.open(file)) {
                Hdf5Group vars = f.root().group("optimizer/vars");
                assertEquals(2, vars.readLong("0"));
                assertArrayEquals(new int[0], vars.datasetShape("1"));
                assertEquals(2 + expected[0].length, vars.children().size());
                for (int i = 0; i < expected[0].length; i++) {
                    assertArrayEquals(expected[0][i].toArray(), vars.readDataset(Integer.toString(2 + i)).toArray(),
                            o.name() + " optimizer/vars/" + (2 + i));
                }
            }
        }
    }

    @Test
    void flattenDenseHeadOnFeatures() {
        // a model whose input is not an image: (N, 10) features
        Sequential m = new Sequential("head");
        m.add(new dev.convey.layers.InputLayer(10));
        m.add(new Dense(4).activation("gelu"));
        m.add(new Dense(2).activation("softmax"));
        randomize(m, 8);
        Path file = dir.resolve("head.keras");
        KerasArchive.save(m, file);
        Model loaded = KerasArchive.load(file);
        Tensor x = Tensor.full(0.5f, 3, 10);
        assertArrayEquals(m.predict(x, 3).toArray(), loaded.predict(x, 3).toArray());
    }

    @Test
    void wrongWeightsFileIsNamed() {
        Path weights = dir.resolve("nested.weights.h5");
        KerasArchive.saveWeights(nested(1), weights);
        Sequential other = new Sequential("other");
        other.add(new dev.convey.layers.InputLayer(4, 4, 1));
        other.add(new Flatten());
        other.add(new Dense(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KerasFiles.loadWeights(other, weights));
        assertTrue(e.getMessage().contains(weights.toString()) && e.getMessage().contains("layers/dense/vars"),
                e.getMessage());
    }
}
