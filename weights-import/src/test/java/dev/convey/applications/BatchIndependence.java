package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * The full-size check of an application with the synthetic weights of SYNTHETIC_WEIGHTS.md (seed 1): on 8 synthetic
 * images at its default input size, the ImageNet predictions are finite, a distribution per image, and the same
 * whether the images run as one batch or one at a time (nothing leaks between the images of a batch).
 */
final class BatchIndependence {

    private BatchIndependence() {
    }

    static void assertFiniteAndIndependentOfTheBatchSize(String name) {
        assertFiniteAndIndependentOfTheBatchSize(name, 0);
    }

    /** The same at {@code size x size} pixels (0: the application's default input size). */
    static void assertFiniteAndIndependentOfTheBatchSize(String name, int size) {
        Applications.Application app = Applications.get(name);
        ApplicationOptions options = new ApplicationOptions().weights(null);
        Model model = app.create(size > 0 ? options.inputShape(size, size, 3) : options);
        SyntheticWeights.fill(model, SyntheticWeights.FIXTURE_SEED);
        int[] hwc = model.input().shape();
        Tensor x = app.preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 8, hwc[0], hwc[1]));
        Tensor batch = model.predict(x, 8);
        Tensor single = model.predict(x, 1);
        assertArrayEquals(new int[] {8, 1000}, batch.shape());
        float[] a = batch.toArray();
        float[] b = single.toArray();
        for (int i = 0; i < 8; i++) {
            double sum = 0;
            for (int c = 0; c < 1000; c++) {
                float p = a[i * 1000 + c];
                assertTrue(Float.isFinite(p) && p >= 0, name + " image " + i + " class " + c + ": " + p);
                sum += p;
            }
            assertTrue(Math.abs(sum - 1) < 1e-4, name + " image " + i + " sums to " + sum);
        }
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= 1e-6 + 1e-5 * Math.abs(a[i]), name + " element " + i + ": batch 8 "
                    + a[i] + ", batch 1 " + b[i]);
        }
    }
}
