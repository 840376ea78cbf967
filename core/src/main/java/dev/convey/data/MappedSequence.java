package dev.convey.data;

/** A {@link BatchSequence} whose batches are another's, transformed (augmentation, preprocessing). */
final class MappedSequence implements BatchSequence {

    /** The transformation of batch {@code index} of epoch {@code epoch}. */
    interface Transform {
        Batch apply(Batch batch, int epoch, int index);
    }

    private final BatchSequence source;
    private final Transform transform;
    private volatile int epoch;

    MappedSequence(BatchSequence source, Transform transform) {
        this.source = source;
        this.transform = transform;
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public Batch get(int index) {
        return transform.apply(source.get(index), epoch, index);
    }

    @Override
    public void onEpochEnd() {
        source.onEpochEnd();
        epoch++;
    }

    @Override
    public int sampleCount() {
        return source.sampleCount();
    }
}
