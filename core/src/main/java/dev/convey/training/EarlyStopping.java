package dev.convey.training;

import java.util.List;
import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code EarlyStopping(monitor="val_loss", min_delta=0, patience=0, restore_best_weights=False)}: stop
 * when the monitored value has not improved (by more than {@code min_delta}) for {@code patience} epochs.
 *
 * <p>Keras' bookkeeping: each epoch {@code wait += 1}; an improvement records the best value (and, with
 * {@code restore_best_weights}, a copy of the weights) and sets {@code wait = 0}; once {@code wait >= patience}
 * (never on the first epoch) training stops and, with {@code restore_best_weights}, the best epoch's weights
 * are put back.
 */
public final class EarlyStopping implements Callback {

    private final Monitor monitor;
    private final int patience;
    private final boolean restoreBestWeights;
    private TrainingRun run;
    private int wait;
    private int stoppedEpoch = -1;
    private int bestEpoch = -1;
    private List<Tensor> bestWeights;

    /** Keras' defaults: monitor val_loss, patience 0, min_delta 0, no restore. */
    public EarlyStopping() {
        this("val_loss", 0, 0, false);
    }

    public EarlyStopping(String monitor, int patience, double minDelta, boolean restoreBestWeights) {
        if (patience < 0) {
            throw new IllegalArgumentException("EarlyStopping patience must be >= 0, got " + patience);
        }
        this.monitor = new Monitor(monitor, "auto", minDelta);
        this.patience = patience;
        this.restoreBestWeights = restoreBestWeights;
    }

    @Override
    public void onTrainBegin(TrainingRun run) {
        this.run = run;
        wait = 0;
        stoppedEpoch = -1;
        bestEpoch = -1;
        bestWeights = null;
        monitor.reset();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double current = monitor.current(logs, "EarlyStopping");
        if (current == null) {
            return;
        }
        if (restoreBestWeights && bestWeights == null) {
            bestWeights = run.model().getWeights();
        }
        wait++;
        if (monitor.improves(current)) {
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) {
                bestWeights = run.model().getWeights();
            }
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            run.stopTraining();
            if (restoreBestWeights && bestWeights != null) {
                run.model().setWeights(bestWeights);
            }
        }
    }

    /** The epoch (from 0) at which training was stopped, or -1 if it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch (from 0) with the best monitored value, or -1 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The best monitored value so far. */
    public double best() {
        return monitor.best();
    }
}
