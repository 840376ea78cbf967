package dev.convey.data;

import java.util.Random;

import dev.convey.tensor.Tensor;

/**
 * A random transformation of a batch of images {@code (batch, h, w, c)} that takes its randomness from the
 * generator it is given: Keras 3's augmentation layers ({@code RandomFlip}, {@code RandomRotation}, ...) implement
 * it, so the same layer works inside a model (active in training) or on a dataset, as Keras'
 * {@code dataset.map(lambda x, y: (layer(x, training=True), y))}.
 */
public interface BatchAugmentation {

    /** A new tensor: the transformed batch. The input is not changed. */
    Tensor augment(Tensor images, Random random);

    /**
     * The source's batches with the steps applied in order to the inputs (labels unchanged). The random numbers
     * of batch {@code index} in epoch {@code epoch} come from (seed, epoch, index) only, so background threads
     * and the order they fetch batches in do not change them.
     */
    static BatchSequence on(BatchSequence source, long seed, BatchAugmentation... steps) {
        BatchAugmentation[] chain = steps.clone();
        return new MappedSequence(source, (batch, epoch, index) -> {
            Random random = new Random(Seeds.mix(seed, epoch, index));
            Tensor x = batch.x();
            for (BatchAugmentation step : chain) {
                x = step.augment(x, random);
            }
            return new BatchSequence.Batch(x, batch.y());
        });
    }
}
