package dev.convey.training;

import java.util.List;

import dev.convey.layers.Layer;

/**
 * What a callback may know about the fit() in progress (Keras' {@code callback.model} and {@code callback.params})
 * and the one thing it may change: {@link #stopTraining()}, Keras' {@code model.stop_training = True}.
 */
public final class TrainingRun {

    private final Layer model;
    private final int epochs;
    private final int stepsPerEpoch;
    private final int samplesPerEpoch;
    private final List<String> metricNames;
    private volatile boolean stopRequested;

    TrainingRun(Layer model, int epochs, int stepsPerEpoch, int samplesPerEpoch, List<String> metricNames) {
        this.model = model;
        this.epochs = epochs;
        this.stepsPerEpoch = stepsPerEpoch;
        this.samplesPerEpoch = samplesPerEpoch;
        this.metricNames = List.copyOf(metricNames);
    }

    /** The model being trained. */
    public Layer model() {
        return model;
    }

    public int epochs() {
        return epochs;
    }

    /** Batches per epoch. */
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public int samplesPerEpoch() {
        return samplesPerEpoch;
    }

    /** The training log keys, {@code loss} first, without the {@code val_} ones. */
    public List<String> metricNames() {
        return metricNames;
    }

    /** Ends training after the current epoch (its callbacks still run). */
    public void stopTraining() {
        stopRequested = true;
    }

    public boolean isStopRequested() {
        return stopRequested;
    }
}
