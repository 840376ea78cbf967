package dev.convey.keras;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ResNet50;
import dev.convey.applications.VGG16;
import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;

/**
 * Full-size VGG16 (138 M weights) and ResNet50 (25.6 M) survive save -> load in .keras, .weights.h5 and .h5 with
 * bit-identical weights and outputs (slow group: about 1.5 GB of files).
 */
@Tag("slow")
class KerasRoundTripFullSizeTest {

    @TempDir
    Path dir;

    private static Tensor image(long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(1, 224, 224, 3);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) (r.nextGaussian() * 50));
        }
        return t;
    }

    private void roundTrip(long seed, java.util.function.Supplier<dev.convey.models.Model> create) {
        KerasRoundTripTest.roundTrip(dir, () -> {
            Layer.setRandomSeed(seed);
            return create.get();
        }, image(seed));
    }

    @Test
    void vgg16SurvivesEveryFormat() {
        roundTrip(16, () -> VGG16.create(new ApplicationOptions().weights(null)));
    }

    @Test
    void resNet50SurvivesEveryFormat() {
        roundTrip(50, () -> ResNet50.create(new ApplicationOptions().weights(null)));
    }
}
