package dev.convey.data;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Batches of in-memory arrays, as Keras' {@code fit(x, y, batch_size, shuffle)} and
 * {@code ImageDataGenerator.flow(x, y)} make them: {@code x (N, ...)} and {@code y (N, ...)} cut along the first
 * axis into {@code ceil(N / batchSize)} batches, the last one partial. With shuffling, every epoch visits the
 * samples in a new order drawn from (seed, epoch), so each sample appears exactly once per epoch and a seed
 * always gives the same epochs. With an {@link ImageDataGenerator}, each image is augmented with random numbers
 * drawn from (seed, epoch, sample).
 */
public final class ArraySequence implements BatchSequence {

    private final Tensor x;
    private final Tensor y;
    private final Tensor sampleWeight;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final ImageDataGenerator augmenter;
    private volatile Seeds.Epoch epoch;

    /** Batches of {@code x} and {@code y}, shuffled each epoch from {@code seed} if {@code shuffle}. */
    public ArraySequence(Tensor x, Tensor y, int batchSize, boolean shuffle, long seed) {
        this(x, y, null, batchSize, shuffle, seed, null);
    }

    /**
     * The same with Keras' {@code sample_weight} {@code (N,)} (null: none): each batch carries the weights of its
     * samples, shuffled with them.
     */
    public ArraySequence(Tensor x, Tensor y, Tensor sampleWeight, int batchSize, boolean shuffle, long seed) {
        this(x, y, sampleWeight, batchSize, shuffle, seed, null);
    }

    /** Unshuffled batches (e.g. for evaluate and predict). */
    public ArraySequence(Tensor x, Tensor y, int batchSize) {
        this(x, y, null, batchSize, false, 0L, null);
    }

    ArraySequence(Tensor x, Tensor y, Tensor sampleWeight, int batchSize, boolean shuffle, long seed,
                  ImageDataGenerator augmenter) {
        if (x.rank() == 0 || y.rank() == 0 || x.dim(0) != y.dim(0)) {
            throw new IllegalArgumentException("x and y must have the same number of samples (first axis): x "
                    + Shapes.toString(x.shape()) + ", y " + Shapes.toString(y.shape()));
        }
        if (sampleWeight != null && (sampleWeight.size() != x.dim(0) || sampleWeight.dim(0) != x.dim(0))) {
            throw new IllegalArgumentException("sample_weight must have one weight per sample, shape (" + x.dim(0)
                    + ",): got " + Shapes.toString(sampleWeight.shape()));
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size must be positive, got " + batchSize);
        }
        if (x.dim(0) == 0) {
            throw new IllegalArgumentException("No samples: x has shape " + Shapes.toString(x.shape()));
        }
        this.x = x;
        this.y = y;
        this.sampleWeight = sampleWeight == null ? null : sampleWeight.reshape(x.dim(0));
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.augmenter = augmenter;
        this.epoch = Seeds.Epoch.of(0, x.dim(0), shuffle, seed);
    }

    @Override
    public int size() {
        return BatchSequence.batchCount(x.dim(0), batchSize);
    }

    @Override
    public int sampleCount() {
        return x.dim(0);
    }

    @Override
    public Batch get(int index) {
        BatchSequence.checkIndex(index, size(), "ArraySequence of " + x.dim(0) + " samples");
        int start = index * batchSize;
        int count = Math.min(batchSize, x.dim(0) - start);
        if (!shuffle && augmenter == null) {
            // In order and untouched: views of the arrays, no copy.
            return new Batch(x.batchSlice(start, count), y.batchSlice(start, count),
                    sampleWeight == null ? null : sampleWeight.batchSlice(start, count));
        }
        Seeds.Epoch current = epoch;
        int[] epochOrder = current.order();
        Tensor bx = gather(x, epochOrder, start, count);
        Tensor by = gather(y, epochOrder, start, count);
        if (augmenter != null) {
            int[] imageShape = Shapes.withoutBatch(x.shape());
            int imageSize = Shapes.size(imageShape);
            for (int k = 0; k < count; k++) {
                Tensor image = bx.batchSlice(k, 1).reshape(imageShape).copy();
                int sample = epochOrder[start + k];
                Tensor out = augmenter.augment(image, Seeds.forSample(seed, current.number(), sample));
                bx.data().put(k * imageSize, out.data(), 0, imageSize);
            }
        }
        return new Batch(bx, by, sampleWeight == null ? null : gather(sampleWeight, epochOrder, start, count));
    }

    @Override
    public void onEpochEnd() {
        epoch = Seeds.Epoch.of(epoch.number() + 1, x.dim(0), shuffle, seed);
    }

    // Rows order[start .. start + count) of t, copied into a new tensor.
    private static Tensor gather(Tensor t, int[] order, int start, int count) {
        int[] shape = t.shape();
        int row = t.size() / shape[0];
        shape[0] = count;
        Tensor out = Tensor.zeros(shape);
        for (int k = 0; k < count; k++) {
            out.data().put(k * row, t.data(), order[start + k] * row, row);
        }
        return out;
    }
}
