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

    private static Tensor input(int n, long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(n, 64, 64, 3);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }

    private void roundTrip(Supplier<Model> build, Tensor x) {
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

    /** fit(N) + save + load + fit(M) gives the same weights as fit(N + M) in one go (Adam slots and step count). */
    @Test
    void resumedFitContinuesExactly() {
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
            m.compile(new Adam(0.01), "categorical_crossentropy", "accuracy");
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
        Model resumed = KerasArchive.load(file);
        assertEquals(4, resumed.trainer().optimizer().iterations());
        resumed.fit(x, y, options);
        resumed.fit(x, y, options);
        assertSameWeights(straight, resumed);
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
