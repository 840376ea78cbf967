package dev.convey.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/** The demo's network and the shipped base pretrained on Fashion-MNIST classes 0-4. */
class FashionVggTest {

    @Test
    void theShippedBaseIsFashionVggWithTrainedWeights() throws IOException {
        assertTrue(Files.size(TestData.file(TransferDemo.SHIPPED_BASE)) < 200_000, "the shipped base stays small");
        Model shipped = TransferDemo.shippedBase();
        Model fresh = FashionVgg.base();
        assertEquals(names(fresh), names(shipped));
        assertEquals(List.of("input", "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2",
                "block2_pool"), names(shipped));
        assertEquals(16_368, shipped.countParams()); // (9*1*16 + 16) + (9*16*16 + 16) + (9*16*32 + 32) + (9*32*32 + 32)
        for (int i = 0; i < fresh.weights().size(); i++) {
            Parameter f = fresh.weights().get(i);
            Parameter s = shipped.weights().get(i);
            assertArrayEquals(f.value().shape(), s.value().shape(), s.fullName());
        }
        // Trained, not freshly initialised: Keras initialises biases to zero, training moved them.
        Tensor bias = shipped.getLayer("block2_conv2").weights().get(1).value();
        double sumAbs = 0;
        for (float b : bias.toArray()) {
            sumAbs += Math.abs(b);
        }
        assertTrue(sumAbs > 1e-3, "block2_conv2 biases are all zero: the shipped base was not trained");
    }

    @Test
    void theClassifierNestsTheBaseUnderAFlattenDenseHead() {
        Model base = FashionVgg.base();
        Model classifier = FashionVgg.classifier(base, 5, "c");
        assertEquals(List.of("image", "fashion_vgg_base", "flatten", "predictions"), names(classifier));
        assertArrayEquals(new int[] {5}, classifier.output().shape());
        assertEquals(16_368 + 7 * 7 * 32 * 5 + 5, classifier.countParams());

        // Freezing the base leaves the head's kernel and bias as the only trainable weights.
        base.setTrainable(false);
        assertEquals(List.of("predictions"), classifier.trainableWeights().stream().map(p -> p.layer().name()).distinct().toList());
        // Fine-tuning: block 2 and the head train, block 1 stays frozen.
        base.freezeUpTo(FashionVgg.LAST_FROZEN_WHEN_FINE_TUNING);
        assertEquals(List.of("block2_conv1", "block2_conv2", "predictions"),
                classifier.trainableWeights().stream().map(p -> p.layer().name()).distinct().toList());
    }

    private static List<String> names(Model m) {
        return m.layers().stream().map(Layer::name).toList();
    }
}
