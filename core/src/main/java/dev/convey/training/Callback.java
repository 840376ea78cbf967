package dev.convey.training;

import java.util.Map;

/**
 * Keras' {@code keras.callbacks.Callback}: hooks the training loop calls. Epochs are counted from 0 as in Keras
 * (people see them from 1). {@code logs} hold the epoch's metrics by Keras key ({@code loss}, {@code accuracy},
 * {@code val_loss}, {@code val_accuracy}, ...), in that order; the maps are read-only.
 */
public interface Callback {

    /** Before the first epoch; {@code run} gives the model, the plan and a way to stop. */
    default void onTrainBegin(TrainingRun run) {
    }

    default void onEpochBegin(int epoch) {
    }

    /**
     * After each training batch. {@code logs} are the running means of the epoch so far; {@code samplesSeen}
     * counts the epoch's samples up to and including this batch.
     */
    default void onBatchEnd(int batch, int samplesSeen, Map<String, Double> logs) {
    }

    /** After the epoch's training and validation. */
    default void onEpochEnd(int epoch, Map<String, Double> logs) {
    }

    /** After the last epoch, or when training stopped early (not when it failed). */
    default void onTrainEnd() {
    }
}
