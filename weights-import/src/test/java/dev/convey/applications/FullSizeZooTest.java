package dev.convey.applications;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * EfficientNet and DenseNet with the synthetic weights of SYNTHETIC_WEIGHTS.md (seed 1), with the top: the
 * predictions of 8 images are finite distributions and the same whether the images run as one batch or one at a
 * time. EfficientNetB0 and the three DenseNets at their full size (224 x 224); EfficientNetB7, the widest and
 * deepest of B1..B7 (whose layer tables EfficientNetTest checks at full size), at 128 x 128 instead of 600 x 600:
 * at 600 it is 37 GFLOP per image, and a batch of 8 needs tens of GB for the layers' output buffers (already
 * 8.8 GB at 260 x 260, which the build machine's OOM killer stopped). EfficientNet takes the pixels
 * themselves (its preprocessing is inside the model), DenseNet the torch-mode preprocessed ones.
 */
@Tag("slow")
class FullSizeZooTest {

    @ParameterizedTest
    @CsvSource({"efficientnet_b0, 224", "densenet121, 224", "densenet169, 224", "densenet201, 224",
        "efficientnet_b7, 128"})
    void finiteAndIndependentOfTheBatchSize(String name, int size) {
        Applications.Application app = Applications.get(name);
        Model model = app.create(new ApplicationOptions().weights(null).inputShape(size, size, 3));
        SyntheticWeights.fill(model, SyntheticWeights.FIXTURE_SEED);
        Tensor x = app.preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 8, size, size));
        FullSizeMobileNetsTest.assertFiniteAndIndependentOfTheBatchSize(name, model, x);
    }

    /** The layers' direct buffers are freed when their tensors are collected: one model's at a time. */
    @AfterEach
    void releaseTheModelsBuffers() {
        System.gc();
    }
}
