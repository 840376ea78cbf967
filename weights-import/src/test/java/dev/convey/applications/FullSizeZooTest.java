package dev.convey.applications;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Full-size Xception, InceptionV3 (299 x 299), VGG19 and the ResNet family (224 x 224), with the top, with the
 * synthetic weights of SYNTHETIC_WEIGHTS.md (seed 1; SeparableConv2D's depthwise and pointwise kernels by its
 * extension): finite predictions, identical for batch sizes 1 and 8 (see {@link BatchIndependence}).
 */
@Tag("slow")
class FullSizeZooTest {

    @ParameterizedTest
    @ValueSource(strings = {"xception", "inception_v3", "vgg19", "resnet101", "resnet152", "resnet50v2", "resnet101v2",
        "resnet152v2"})
    void finiteAndIndependentOfTheBatchSize(String name) {
        BatchIndependence.assertFiniteAndIndependentOfTheBatchSize(name);
    }
}
