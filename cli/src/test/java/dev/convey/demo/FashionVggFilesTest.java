package dev.convey.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.keras.KerasFiles;
import dev.convey.layers.Parameter;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * The demo's model (FashionVgg's classifier, its base nested as one layer and frozen) survives save -> load in
 * .keras, .h5 and .weights.h5 with bit-identical weights, outputs and the frozen flag.
 */
class FashionVggFilesTest {

    @TempDir
    Path dir;

    private static Model demoModel(long seed) {
        Model base = FashionVgg.base();
        Model m = FashionVgg.classifier(base, 10, "fashion_classifier");
        Random r = new Random(seed);
        for (Parameter p : m.weights()) {
            Tensor t = Tensor.zeros(p.value().shape());
            for (int i = 0; i < t.size(); i++) {
                t.data().put(i, (float) (r.nextGaussian() * 0.1));
            }
            p.assign(t);
        }
        base.setTrainable(false);
        return m;
    }

    private static void assertSameWeights(Model a, Model b) {
        assertEquals(a.weights().size(), b.weights().size());
        for (int i = 0; i < a.weights().size(); i++) {
            assertArrayEquals(a.weights().get(i).value().toArray(), b.weights().get(i).value().toArray(),
                    a.weights().get(i).fullName());
        }
    }

    @Test
    void demoModelSurvivesEveryFormat() {
        Model original = demoModel(1);
        Random r = new Random(2);
        Tensor x = Tensor.zeros(3, 28, 28, 1);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, r.nextFloat());
        }
        Tensor expected = original.predict(x, 3);
        for (String name : List.of("demo.keras", "demo.h5")) {
            Path file = dir.resolve(name);
            KerasFiles.save(original, file);
            Model loaded = KerasFiles.loadModel(file);
            assertSameWeights(original, loaded);
            assertArrayEquals(expected.toArray(), loaded.predict(x, 3).toArray(), name);
            assertEquals(false, loaded.getLayer("fashion_vgg_base").isTrainable(), name);
            assertEquals(2, loaded.trainableWeights().size(), name + ": only the head trains");
        }
        Path weights = dir.resolve("demo.weights.h5");
        KerasFiles.save(original, weights);
        Model fresh = demoModel(3);
        KerasFiles.loadWeights(fresh, weights);
        assertSameWeights(original, fresh);
        assertArrayEquals(expected.toArray(), fresh.predict(x, 3).toArray(), "demo.weights.h5");
    }
}
