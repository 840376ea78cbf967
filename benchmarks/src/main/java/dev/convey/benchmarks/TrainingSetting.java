package dev.convey.benchmarks;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.training.FitOptions;
import dev.convey.training.SGD;

/**
 * The transfer-learning step of {@link TrainingBenchmark} outside JMH (for the probes): the model with a new head,
 * compiled with SGD(1e-4) on categorical cross-entropy, one batch of synthetic images and labels, and
 * {@link #step}, one {@code fit} epoch of exactly that batch, in order, without a progress bar.
 */
final class TrainingSetting {

    final Model network;
    final Tensor images;
    final Tensor labels;
    private final FitOptions oneStep;

    TrainingSetting(String name, boolean baseTrainable, int batch) {
        network = Models.withNewHead(name, baseTrainable);
        network.compile(new SGD(1e-4), "categorical_crossentropy");
        images = Models.images(batch);
        labels = Models.oneHotLabels(batch);
        oneStep = FitOptions.builder().batchSize(batch).epochs(1).shuffle(false).verbose(false).build();
    }

    void step() {
        network.fit(images, labels, oneStep);
    }
}
