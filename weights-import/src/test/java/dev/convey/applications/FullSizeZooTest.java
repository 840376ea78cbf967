package dev.convey.applications;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The applications beside VGG16, ResNet50 and the MobileNets, with the top and the synthetic weights of
 * SYNTHETIC_WEIGHTS.md (seed 1; SeparableConv2D's depthwise and pointwise kernels by its extension): finite
 * predictions, identical for batch sizes 1 and 8 (see {@link BatchIndependence}). Each at its default input size
 * (Xception and InceptionV3 299 x 299, the others 224 x 224), except EfficientNetB7, the widest and deepest of
 * B1..B7 (whose layer tables EfficientNetTest checks at full size), at 128 x 128 instead of 600 x 600: at 600 it is
 * 37 GFLOP per image, and a batch of 8 needs tens of GB for the layers' output buffers (already 8.8 GB at
 * 260 x 260, which the build machine's OOM killer stopped).
 */
@Tag("slow")
class FullSizeZooTest {

    @ParameterizedTest
    @CsvSource({"xception, 0", "inception_v3, 0", "vgg19, 0", "resnet101, 0", "resnet152, 0", "resnet50v2, 0",
        "resnet101v2, 0", "resnet152v2, 0", "efficientnet_b0, 224", "densenet121, 224", "densenet169, 224",
        "densenet201, 224", "efficientnet_b7, 128"})
    void finiteAndIndependentOfTheBatchSize(String name, int size) {
        BatchIndependence.assertFiniteAndIndependentOfTheBatchSize(name, size);
    }

    /** The layers' direct buffers are freed when their tensors are collected: one model's at a time. */
    @AfterEach
    void releaseTheModelsBuffers() {
        System.gc();
    }
}
