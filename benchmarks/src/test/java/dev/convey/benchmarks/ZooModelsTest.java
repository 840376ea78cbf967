package dev.convey.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The multiply-accumulates the suite divides by for EfficientNetB0 and DenseNet121 at 224 x 224: 0.3858 and
 * 2.8342 GMAC per image, as a separate count from the architectures' definitions gives them (every Conv2D,
 * DepthwiseConv2D and Dense: output pixels x kernel elements; the squeeze-and-excitation convolutions run on
 * 1 x 1 maps). Published: 0.39 billion for EfficientNet-B0 (Tan and Le 2019), about 2.9 GMAC for DenseNet-121.
 */
class ZooModelsTest {

    @Test
    void macsOfEfficientNetB0AndDenseNet121() {
        assertEquals(385_814_752L, Models.macsPerImage(Models.classifier(Models.EFFICIENTNET_B0_NAME, false)));
        assertEquals(2_834_161_664L, Models.macsPerImage(Models.classifier(Models.DENSENET121_NAME, false)));
    }
}
