package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.convey.data.Idx;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;
import dev.convey.training.Adam;

/** The genuine Keras 3.10 .keras file: structure, compile_config, optimizer state and accuracy. */
class KerasArchiveTest {

    static final String FIXTURE = "keras3/fashion_mnist_cnn.keras";

    @Test
    void genuineKeras3FileLoadsWithItsArchitectureAndCompileConfig() {
        KerasArchive.Loaded loaded = KerasArchive.loadWithNotes(TestData.file(FIXTURE));
        Model m = loaded.model();
        assertEquals(List.of(), loaded.notes());
        assertEquals(List.of("conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dropout", "dense",
                "dense_1"), m.layers().stream().map(Layer::name).toList());
        assertArrayEquals(new int[] {28, 28, 1}, m.input().shape());
        assertEquals(1_600 * 64 + 64, m.getLayer("dense").countParams());
        // compile_config: Adam(0.001), sparse_categorical_crossentropy, accuracy; optimizer/vars/0 = 17500 steps
        assertTrue(m.trainer().optimizer() instanceof Adam);
        assertEquals(0.001f, m.trainer().optimizer().learningRate());
        assertEquals("sparse_categorical_crossentropy", m.trainer().loss().name());
        assertEquals(17_500, m.trainer().optimizer().iterations());
        assertEquals(2, m.trainer().optimizer().slots(m.getLayer("dense").weights().get(0)).length);
    }

    /** The acceptance figure of the fixture's README: 0.9051 on the 10000 test images (needs ../shared). */
    @Test
    void genuineFileClassifiesTheFashionMnistTestSetAsKerasDoes() throws IOException {
        Path images = TestData.shared("datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").orElse(null);
        Path labels = TestData.shared("datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz").orElse(null);
        Assumptions.assumeTrue(images != null && labels != null, "../shared/datasets/fashion-mnist is absent");
        Model m = KerasArchive.load(TestData.file(FIXTURE));
        int correct = correct(m, Idx.read(images), Idx.read(labels));
        System.out.println("fashion_mnist_cnn.keras: " + correct + " of 10000 test images correct");
        assertEquals(9051, correct);
    }

    static int correct(Model m, Idx.Array images, Idx.Array labels) {
        int n = labels.shape()[0];
        float[] x = new float[n * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = images.at(i) / 255f;
        }
        Tensor p = m.predict(Tensor.of(x, n, 28, 28, 1), 250);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < 10; k++) {
                if (p.data().get(i * 10 + k) > p.data().get(i * 10 + best)) {
                    best = k;
                }
            }
            correct += best == labels.at(i) ? 1 : 0;
        }
        return correct;
    }
}
