package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Keras' {@code DirectoryIterator} ({@code ImageDataGenerator.flow_from_directory}): batches of images read
 * from {@code directory/<class>/...}.
 *
 * <p>Listing, as Keras: the class folders sorted by name give {@link #classIndices()}; in each, the files whose
 * names end with one of {@link Images#KERAS_EXTENSIONS} (sub-folders included, sorted), optionally cut to a
 * {@link ImageDataGenerator.Subset}. Then, unlike Keras (which crashes mid-epoch on a bad file), every file
 * that no {@code javax.imageio} reader recognises is reported to the {@link Options#onSkipped} listener (and
 * logged) and left out; a file that still fails to decode later is reported, left out of its batch (which is
 * then smaller) and of later epochs. {@link #skipped()} lists them all.
 *
 * <p>{@link #get} is safe to call from several threads, and its result depends only on (seed, epoch, index),
 * so a {@link Prefetcher} can decode ahead on background threads without changing the numbers.
 */
public final class DirectoryIterator implements BatchSequence {

    private static final System.Logger LOG = System.getLogger(DirectoryIterator.class.getName());

    /** A file left out, and why. */
    public record SkippedImage(Path file, String reason) {
    }

    /** Keras' keyword arguments of {@code flow_from_directory}, with Keras' defaults. */
    public static final class Options extends FolderOptions<Options> {
        ClassMode classMode = ClassMode.CATEGORICAL;
        ImageDataGenerator.Subset subset;
        Interpolation interpolation = Interpolation.NEAREST;
        Consumer<SkippedImage> onSkipped = skipped -> { };

        public Options targetSize(int height, int width) {
            return size("target_size", height, width);
        }

        public Options classMode(ClassMode mode) {
            classMode = mode;
            return this;
        }

        public Options subset(ImageDataGenerator.Subset value) {
            subset = value;
            return this;
        }

        public Options interpolation(Interpolation value) {
            interpolation = value;
            return this;
        }

        /** Called (on any thread) for each file left out; skips are also logged at WARNING. */
        public Options onSkipped(Consumer<SkippedImage> listener) {
            onSkipped = listener;
            return this;
        }
    }

    private final Path directory;
    private final ImageDataGenerator generator;
    private final Options options;
    private final long seed;
    private final Map<String, Integer> classIndices;
    private final List<Path> files = new ArrayList<>();
    private final int[] classes;
    private final List<SkippedImage> skipped = new CopyOnWriteArrayList<>();
    private final Set<Integer> failedAtDecode = ConcurrentHashMap.newKeySet();
    private volatile Seeds.Epoch epoch;

    /** Use {@link ImageDataGenerator#flowFromDirectory}. */
    DirectoryIterator(Path directory, ImageDataGenerator generator, Options options) {
        this.directory = directory;
        this.generator = generator;
        this.options = options;
        this.seed = options.seed != null ? options.seed : Seeds.fresh();
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("flow_from_directory: " + directory + " is not a directory");
        }
        List<String> classNames = classFolders(directory);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("flow_from_directory: " + directory
                    + " has no class sub-folders; expected one folder per class, e.g. " + directory + "/cats/*.jpg");
        }
        if (options.classMode == ClassMode.BINARY && classNames.size() != 2) {
            throw new IllegalArgumentException("class_mode binary needs exactly 2 class folders, " + directory
                    + " has " + classNames.size() + ": " + classNames);
        }
        Map<String, Integer> indices = new LinkedHashMap<>();
        List<Integer> labels = new ArrayList<>();
        for (String name : classNames) {
            int classIndex = indices.size();
            indices.put(name, classIndex);
            List<Path> inClass = imageFiles(directory.resolve(name));
            int[] range = generator.splitRange(inClass.size(), options.subset);
            for (Path file : inClass.subList(range[0], range[1])) {
                if (Images.isDecodable(file)) {
                    files.add(file);
                    labels.add(classIndex);
                } else {
                    report(file, "no javax.imageio reader recognises its content");
                }
            }
        }
        this.classIndices = Collections.unmodifiableMap(indices);
        this.classes = labels.stream().mapToInt(Integer::intValue).toArray();
        if (files.isEmpty()) {
            throw new IllegalArgumentException("flow_from_directory: found no readable images in the class folders "
                    + classNames + " of " + directory + " (extensions " + Images.KERAS_EXTENSIONS + ")"
                    + (options.subset != null ? " for subset " + options.subset : ""));
        }
        this.epoch = Seeds.Epoch.of(0, files.size(), options.shuffle, seed);
        LOG.log(System.Logger.Level.INFO, "Found {0} images belonging to {1} classes in {2}.", files.size(),
                classNames.size(), directory);
    }

    /** Options with Keras' defaults (256x256 RGB, batch 32, categorical, shuffled). */
    public static Options options() {
        return new Options();
    }

    /** Keras' {@code class_indices}: class folder name to class index, in index order. */
    public Map<String, Integer> classIndices() {
        return classIndices;
    }

    /** Keras' {@code classes}: the class index of every listed file, in listing order. */
    public int[] classes() {
        return classes.clone();
    }

    /** Keras' {@code filepaths}: the listed files (those left out as undecodable at listing are not here). */
    public List<Path> filepaths() {
        return Collections.unmodifiableList(files);
    }

    /** The files left out so far, with the reason. */
    public List<SkippedImage> skipped() {
        return Collections.unmodifiableList(skipped);
    }

    @Override
    public int sampleCount() {
        return epoch.order().length;
    }

    @Override
    public int size() {
        return BatchSequence.batchCount(epoch.order().length, options.batchSize);
    }

    @Override
    public Batch get(int index) {
        Seeds.Epoch current = epoch;
        int[] epochOrder = current.order();
        BatchSequence.checkIndex(index, BatchSequence.batchCount(epochOrder.length, options.batchSize),
                "flow_from_directory(" + directory + ")");
        int start = index * options.batchSize;
        int end = Math.min(start + options.batchSize, epochOrder.length);
        int h = options.height;
        int w = options.width;
        int c = options.colorMode.channels();
        int imageSize = h * w * c;
        Tensor x = Tensor.zeros(end - start, h, w, c);
        int[] labels = new int[end - start];
        int kept = 0;
        for (int k = start; k < end; k++) {
            int sample = epochOrder[k];
            Tensor image = loadOrReport(sample);
            if (image == null) {
                continue;
            }
            image = generator.augment(image, Seeds.forSample(seed, current.number(), sample));
            x.data().put(kept * imageSize, image.data(), 0, imageSize);
            labels[kept++] = classes[sample];
        }
        if (kept < end - start) {
            x = x.batchSlice(0, kept);
            labels = java.util.Arrays.copyOf(labels, kept);
        }
        return new Batch(x, options.classMode.encode(labels, classIndices.size()));
    }

    @Override
    public void onEpochEnd() {
        Seeds.Epoch next = Seeds.Epoch.of(epoch.number() + 1, files.size(), options.shuffle, seed);
        epoch = new Seeds.Epoch(next.number(), withoutFailed(next.order()));
    }

    // Samples that failed to decode stay out of later epochs (they are then missing from the epoch's last batch).
    private int[] withoutFailed(int[] epochOrder) {
        if (failedAtDecode.isEmpty()) {
            return epochOrder;
        }
        return java.util.Arrays.stream(epochOrder).filter(i -> !failedAtDecode.contains(i)).toArray();
    }

    private Tensor loadOrReport(int sample) {
        Path file = files.get(sample);
        try {
            return Images.load(file, options.colorMode, options.height, options.width,
                    options.interpolation);
        } catch (UncheckedIOException e) {
            if (failedAtDecode.add(sample)) {
                report(file, e.getCause().getMessage());
            }
            return null;
        }
    }

    private void report(Path file, String reason) {
        SkippedImage s = new SkippedImage(file, reason);
        skipped.add(s);
        LOG.log(System.Logger.Level.WARNING, "Skipping image {0}: {1}", file, reason);
        options.onSkipped.accept(s);
    }

    private static List<String> classFolders(Path directory) {
        return FolderListing.subfolders(directory, false);
    }

    // Keras' _iter_valid_files: every file below the class folder (followed into sub-folders), folders in
    // sorted order and the names sorted within each, whose lower-cased name ends with a white-listed extension.
    private static List<Path> imageFiles(Path classFolder) {
        return FolderListing.files(classFolder, true, Images::hasKerasExtension);
    }
}
