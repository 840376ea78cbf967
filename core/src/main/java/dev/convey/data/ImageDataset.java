package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What {@link ImageDatasets#fromDirectory} returns: Keras' dataset with its {@code class_names} and
 * {@code file_paths}, as a {@link BatchSequence} {@code model.fit} and {@code model.evaluate} take. Batches are
 * {@code (batch, h, w, channels)} floats 0..255 (not rescaled, as Keras) and the labels in the chosen
 * {@code label_mode}; the last batch of an epoch may be smaller. {@link #get} is safe from several threads and
 * depends only on (seed, epoch, index).
 */
public final class ImageDataset implements BatchSequence {

    private static final System.Logger LOG = System.getLogger(ImageDataset.class.getName());

    private final List<Path> paths;
    private final int[] labels;
    private final List<String> classNames;
    private final ImageDatasets.Options options;
    private final boolean shuffle;
    private final long seed;
    private final List<DirectoryIterator.SkippedImage> skipped = new CopyOnWriteArrayList<>();
    private volatile Seeds.Epoch epoch;

    ImageDataset(List<Path> paths, int[] labels, List<String> classNames, ImageDatasets.Options options,
                 boolean shuffle) {
        this.paths = List.copyOf(paths);
        this.labels = labels;
        this.classNames = classNames;
        this.options = options;
        this.shuffle = shuffle;
        this.seed = options.seed != null ? options.seed : Seeds.fresh();
        this.epoch = Seeds.Epoch.of(0, paths.size(), false, seed);
        LOG.log(System.Logger.Level.INFO, "Found {0} files belonging to {1} classes.", paths.size(),
                classNames.size());
    }

    /** Keras' {@code class_names}: the label of index i is {@code classNames().get(i)}. */
    public List<String> classNames() {
        return classNames;
    }

    /** Keras' {@code file_paths}, in the dataset's (shuffled once, then split) order. */
    public List<Path> filePaths() {
        return paths;
    }

    /** The integer label of each file of {@link #filePaths()}, or null without labels. */
    public int[] labels() {
        return labels == null ? null : labels.clone();
    }

    /** The (height, width) every image is resized to. */
    public int[] imageSize() {
        return new int[] {options.height, options.width};
    }

    public ColorMode colorMode() {
        return options.colorMode;
    }

    /** Files that could not be decoded, left out of their batch. */
    public List<DirectoryIterator.SkippedImage> skipped() {
        return List.copyOf(skipped);
    }

    @Override
    public int sampleCount() {
        return paths.size();
    }

    @Override
    public int size() {
        return BatchSequence.batchCount(paths.size(), options.batchSize);
    }

    /** The image of file {@code i} as this dataset loads it: {@code (h, w, channels)}. */
    public Tensor load(int i) {
        Images.Pixels pixels = Images.decode(paths.get(i), options.colorMode);
        int h = options.height;
        int w = options.width;
        if (options.cropToAspectRatio) {
            return TfResize.cropToAspectRatio(pixels, h, w, options.interpolation);
        }
        if (options.padToAspectRatio) {
            return TfResize.padToAspectRatio(pixels, h, w, options.interpolation);
        }
        return TfResize.resize(pixels, h, w, options.interpolation);
    }

    @Override
    public Batch get(int index) {
        int[] order = epoch.order();
        BatchSequence.checkIndex(index, size(), "image_dataset_from_directory");
        int start = index * options.batchSize;
        int end = Math.min(start + options.batchSize, order.length);
        int imageSize = options.height * options.width * options.colorMode.channels();
        Tensor x = Tensor.zeros(end - start, options.height, options.width, options.colorMode.channels());
        int[] batchLabels = new int[end - start];
        int kept = 0;
        for (int k = start; k < end; k++) {
            int sample = order[k];
            Tensor image;
            try {
                image = load(sample);
            } catch (UncheckedIOException e) {
                skipped.add(new DirectoryIterator.SkippedImage(paths.get(sample), e.getCause().getMessage()));
                LOG.log(System.Logger.Level.WARNING, "Skipping image {0}: {1}", paths.get(sample),
                        e.getCause().getMessage());
                continue;
            }
            x.data().put(kept * imageSize, image.data(), 0, imageSize);
            batchLabels[kept++] = labels == null ? 0 : labels[sample];
        }
        if (kept < end - start) {
            x = x.batchSlice(0, kept);
            batchLabels = Arrays.copyOf(batchLabels, kept);
        }
        ClassMode encoding = options.labelMode.encoding;
        return new Batch(x, encoding == null || labels == null ? null : encoding.encode(batchLabels, classNames.size()));
    }

    /** The next epoch's order: a seeded reshuffle when the dataset shuffles, else the file order. */
    @Override
    public void onEpochEnd() {
        epoch = Seeds.Epoch.of(epoch.number() + 1, paths.size(), shuffle, seed);
    }
}
