package dev.convey.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Acceptance of the real MobileNet weights: frozen ImageNet features (alpha 0.25, global average pooling) with an
 * L2 logistic regression trained on the 245 hymenoptera training photos classify the 153 validation photos at
 * >= 0.83 (a float64 reference of Keras' MobileNet measured 0.85 at 224 px).
 */
@Tag("slow")
class LinearProbeTest {

    @Test
    void frozenImageNetFeaturesSeparateAntsFromBees() {
        for (int size : new int[] {Integer.getInteger("probe.size", 224)}) {
            PhotoDemo demo = new PhotoDemo(new PhotoDemo.Settings(7, size, 16, 1, 1, 1, 1e-3, 1e-4), Path.of("target"));
            double accuracy = demo.linearProbeAccuracy();
            System.out.println("linear probe at " + size + " px: val accuracy " + accuracy);
            assertTrue(accuracy >= 0.83, "linear probe accuracy " + accuracy + " at " + size + " px");
        }
    }
}
