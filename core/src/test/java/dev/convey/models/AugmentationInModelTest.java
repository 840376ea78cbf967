package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.RandomFlip;
import dev.convey.layers.RandomRotation;
import dev.convey.layers.RandomZoom;
import dev.convey.tensor.Tensor;
import dev.convey.training.FitOptions;
import dev.convey.training.SGD;

/**
 * Keras 3's pattern: augmentation layers right after the input, active in fit, the identity in predict.
 */
class AugmentationInModelTest {

    private static Model model(boolean augment, long seed) {
        Layer.setRandomSeed(seed);   // the same initial weights for both models
        SymbolicTensor in = Input.of(8, 8, 3);
        SymbolicTensor h = in;
        if (augment) {
            h = new RandomFlip(RandomFlip.HORIZONTAL, 1L).apply(h);
            h = new RandomRotation(new double[] {0.1}, "reflect", "bilinear", 0, 2L).apply(h);
            h = new RandomZoom(new double[] {0.2}, null, "reflect", "bilinear", 0, 3L).apply(h);
        }
        h = new Conv2D(4, 3).activation("relu").apply(h);
        h = new GlobalAveragePooling2D().apply(h);
        return new Model(in, new Dense(2).activation("softmax").apply(h), "m");
    }

    @Test
    void augmentationIsActiveInFitAndTheIdentityInPredict() {
        Random r = new Random(1);
        Tensor x = Tensor.zeros(16, 8, 8, 3);
        Tensor y = Tensor.zeros(16, 2);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        for (int i = 0; i < 16; i++) {
            y.data().put(i * 2 + (i % 2), 1f);
        }
        Model plain = model(false, 5);
        Model augmented = model(true, 5);
        assertArrayEquals(plain.predict(x, 4).toArray(), augmented.predict(x, 4).toArray(), "identity in predict");
        FitOptions options = FitOptions.builder().batchSize(8).epochs(1).shuffle(false).verbose(false).build();
        plain.compile(new SGD(0.1), "categorical_crossentropy");
        augmented.compile(new SGD(0.1), "categorical_crossentropy");
        plain.fit(x, y, options);
        augmented.fit(x, y, options);
        float[] a = plain.predict(x, 4).toArray();
        float[] b = augmented.predict(x, 4).toArray();
        assertFalse(java.util.Arrays.equals(a, b), "fit saw augmented images");
        for (float v : b) {
            assertTrue(Float.isFinite(v));
        }
    }
}
