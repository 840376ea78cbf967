package dev.convey.data;

/**
 * The keyword arguments Keras' two folder readers share ({@code image_dataset_from_directory},
 * {@code ImageDataGenerator.flow_from_directory}), with their common defaults: 256x256, RGB, batches of 32, shuffled,
 * no seed. {@link ImageDatasets.Options} and {@link DirectoryIterator.Options} add their own.
 *
 * @param <T> the concrete options, which the setters return so that chains keep its type
 */
public abstract class FolderOptions<T extends FolderOptions<T>> {

    int height = 256;
    int width = 256;
    ColorMode colorMode = ColorMode.RGB;
    int batchSize = 32;
    boolean shuffle = true;
    Long seed;

    FolderOptions() {
    }

    @SuppressWarnings("unchecked")
    final T self() {
        return (T) this;
    }

    /** The size images are resized to; {@code kerasName} names the argument in the error. */
    final T size(String kerasName, int h, int w) {
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException(kerasName + " must be positive, got " + h + "x" + w);
        }
        height = h;
        width = w;
        return self();
    }

    public T colorMode(ColorMode mode) {
        colorMode = mode;
        return self();
    }

    public T batchSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("batch_size must be positive, got " + size);
        }
        batchSize = size;
        return self();
    }

    public T shuffle(boolean on) {
        shuffle = on;
        return self();
    }

    public T seed(long value) {
        seed = value;
        return self();
    }
}
