package dev.convey.applications;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The applications beside VGG16, ResNet50 and the MobileNets, with the top and the synthetic weights of
 * SYNTHETIC_WEIGHTS.md (seed 1; SeparableConv2D's depthwise and pointwise kernels by its extension): finite
 * predictions, identical for batch sizes 1 and 8 (see {@link BatchIndependence}). Each at its default input size:
 * Xception and InceptionV3 299 x 299, EfficientNetB1..B7 240, 260, 300, 380, 456, 528 and 600, the others
 * 224 x 224. EfficientNetB7 at 600 is 37 GFLOP per image; a batch of 8 fits because an inference pass holds only
 * the layer outputs still to be read (the others go back to a BufferPool, see Liveness in core), not every
 * layer's.
 */
@Tag("slow")
class FullSizeZooTest {

    @ParameterizedTest
    @CsvSource({"xception, 0", "inception_v3, 0", "vgg19, 0", "resnet101, 0", "resnet152, 0", "resnet50v2, 0",
        "resnet101v2, 0", "resnet152v2, 0", "efficientnet_b0, 224", "densenet121, 224", "densenet169, 224",
        "densenet201, 224", "efficientnet_b1, 0", "efficientnet_b2, 0", "efficientnet_b3, 0", "efficientnet_b4, 0",
        "efficientnet_b5, 0", "efficientnet_b6, 0", "efficientnet_b7, 0"})
    void finiteAndIndependentOfTheBatchSize(String name, int size) {
        BatchIndependence.assertFiniteAndIndependentOfTheBatchSize(name, size);
    }

    /** The layers' direct buffers are freed when their tensors are collected: one model's at a time. */
    @AfterEach
    void releaseTheModelsBuffers() {
        System.gc();
    }
}
