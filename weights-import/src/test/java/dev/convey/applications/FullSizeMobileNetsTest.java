package dev.convey.applications;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Full-size MobileNet and MobileNetV2 (224x224, with the top) with the synthetic weights of SYNTHETIC_WEIGHTS.md
 * (seed 1, extended to depthwise kernels): the predictions are finite, a distribution per image, and the same
 * whether the 8 images run as one batch or one at a time (nothing leaks between the images of a batch).
 */
@Tag("slow")
class FullSizeMobileNetsTest {

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet", "mobilenet_v2"})
    void finiteAndIndependentOfTheBatchSize(String name) {
        BatchIndependence.assertFiniteAndIndependentOfTheBatchSize(name);
    }
}
