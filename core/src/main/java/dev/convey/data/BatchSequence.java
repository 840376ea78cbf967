package dev.convey.data;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code keras.utils.Sequence}: a dataset cut into batches that can be fetched by index, so an epoch is
 * {@code get(0) .. get(size() - 1)} followed by {@link #onEpochEnd()} (where shuffling sequences draw their next
 * order). Implementations are safe to call from several threads at once, which is what {@link Prefetcher} does
 * to prepare the next batches while the current one trains.
 */
public interface BatchSequence {

    /**
     * One batch: inputs {@code x} (batch first, e.g. NHWC images), targets {@code y} (batch first) and, as a Keras
     * sequence may yield {@code (x, y, sample_weight)}, each sample's loss weight {@code (N,)} or null.
     */
    record Batch(Tensor x, Tensor y, Tensor sampleWeight) {

        /** A batch without sample weights, Keras' {@code (x, y)}. */
        public Batch(Tensor x, Tensor y) {
            this(x, y, null);
        }

        /** The same targets and weights for other inputs (e.g. augmented or preprocessed ones). */
        public Batch withX(Tensor newX) {
            return new Batch(newX, y, sampleWeight);
        }

        /** The number of samples in this batch (the last batch of an epoch may be smaller). */
        public int size() {
            return x.dim(0);
        }
    }

    /** Batches per epoch: {@code ceil(sampleCount / batchSize)}, the last one possibly partial (as Keras). */
    int size();

    /** Batch {@code index} of the current epoch, {@code 0 <= index < size()}. */
    Batch get(int index);

    /** Called by the training loop after each epoch; shuffling sequences draw the next epoch's order here. */
    void onEpochEnd();

    /** The number of samples in one epoch. */
    int sampleCount();

    /** Batches needed for {@code samples} samples: the last one may be partial. */
    static int batchCount(int samples, int batchSize) {
        return (samples + batchSize - 1) / batchSize;
    }

    /** The standard index check, naming the sequence. */
    static void checkIndex(int index, int size, String what) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(what + ": batch " + index + " requested, but an epoch has " + size
                    + " batches (0.." + (size - 1) + ")");
        }
    }
}
