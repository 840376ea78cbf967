package dev.convey.training;

/**
 * Thrown by fit() when a batch's loss is NaN or infinite. The batch's update is not applied, so the weights are
 * those after the previous batch, and files written by callbacks in earlier epochs are untouched.
 */
public final class NonFiniteLossException extends IllegalStateException {

    private final int epoch;
    private final int batch;
    private final double loss;

    NonFiniteLossException(String lossName, double loss, int epoch, int epochs, int batch, int batches) {
        super("Loss " + lossName + " is " + loss + " at epoch " + (epoch + 1) + "/" + epochs + ", batch " + (batch + 1)
                + "/" + batches + "; training stopped before applying this batch. Typical causes: a learning rate "
                + "that is too large, or NaN/Inf values in the inputs or labels.");
        this.epoch = epoch;
        this.batch = batch;
        this.loss = loss;
    }

    /** The epoch, from 0. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, from 0. */
    public int batch() {
        return batch;
    }

    public double loss() {
        return loss;
    }
}
