package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * Keras 3's {@code keras.utils.image_dataset_from_directory}: batches of images from {@code directory/<class>/...}
 * with labels inferred from the folders, following Keras' rules ({@code dataset_utils.index_directory},
 * {@code get_training_or_validation_split}):
 * <ol>
 *   <li>classes: the sub-folders not starting with {@code "."}, sorted (or {@code class_names}, in the order
 *       given, a subset of the folders);</li>
 *   <li>files: class after class; in each, every folder below it sorted by path and the names sorted within it,
 *       keeping names whose lower case ends with {@code .bmp .gif .jpeg .jpg .png};</li>
 *   <li>with {@code shuffle} (the default), the whole list is shuffled once with numpy's
 *       {@code RandomState(seed).shuffle} ({@link NumpyRandomState}), so a seed gives Keras' order;</li>
 *   <li>{@code validation_split = f}: {@code n_val = int(f * n)}; validation is the last {@code n_val} files of
 *       that list, training the others (Keras' {@code samples[:-n_val]}).</li>
 * </ol>
 * Each image is decoded as Pillow does ({@link Images#decode}) and resized as {@code tf.image.resize} does
 * ({@link TfResize}). Differences from Keras: only {@code bilinear} and {@code nearest} interpolation; no
 * {@code rgba} colour mode; the per-epoch reshuffle of the training set is a full seeded shuffle rather than
 * tf.data's 8-batch buffer; an undecodable file is reported and left out instead of stopping the epoch.
 */
public final class ImageDatasets {

    /** Keras' {@code ALLOWLIST_FORMATS}. */
    public static final List<String> ALLOWLIST_FORMATS = List.of(".bmp", ".gif", ".jpeg", ".jpg", ".png");

    /** Keras' {@code label_mode}. */
    public enum LabelMode {
        /** The class index, shape {@code (batch,)}, for {@code sparse_categorical_crossentropy}. */
        INT(ClassMode.SPARSE),
        /** One-hot {@code (batch, classes)}, for {@code categorical_crossentropy}. */
        CATEGORICAL(ClassMode.CATEGORICAL),
        /** 0 or 1, shape {@code (batch, 1)}, for {@code binary_crossentropy}: exactly two classes. */
        BINARY(ClassMode.BINARY),
        /** No labels: batches of images only. */
        NONE(null);

        final ClassMode encoding;

        LabelMode(ClassMode encoding) {
            this.encoding = encoding;
        }

        /** By Keras' name: {@code "int"}, {@code "categorical"}, {@code "binary"} or {@code "none"}. */
        public static LabelMode of(String kerasName) {
            for (LabelMode m : values()) {
                if (m.name().equalsIgnoreCase(kerasName)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("label_mode must be int, categorical, binary or none, got " + kerasName);
        }
    }

    /** Keras' keyword arguments with Keras' defaults (256x256 RGB, batch 32, shuffled, bilinear). */
    public static final class Options extends FolderOptions<Options> {
        boolean inferLabels = true;
        int[] explicitLabels;
        LabelMode labelMode = LabelMode.INT;
        List<String> classNames;
        double validationSplit;
        String subset;
        TfResize.Method interpolation = TfResize.Method.BILINEAR;
        boolean cropToAspectRatio;
        boolean padToAspectRatio;

        /** {@code labels=None}: images only. */
        public Options noLabels() {
            inferLabels = false;
            explicitLabels = null;
            labelMode = LabelMode.NONE;
            return this;
        }

        /** {@code labels=[...]}: one integer label per file, in the alphanumeric order of the file paths. */
        public Options labels(int... labels) {
            inferLabels = false;
            explicitLabels = labels.clone();
            return this;
        }

        public Options labelMode(LabelMode mode) {
            labelMode = mode;
            return this;
        }

        public Options classNames(List<String> names) {
            classNames = List.copyOf(names);
            return this;
        }

        public Options imageSize(int h, int w) {
            return size("image_size", h, w);
        }

        @Override
        public Options seed(long value) {
            if (value < 0 || value > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("seed must be in 0 .. 2^32 - 1 (numpy's range), got " + value);
            }
            return super.seed(value);
        }

        public Options validationSplit(double fraction) {
            validationSplit = fraction;
            return this;
        }

        /** {@code "training"}, {@code "validation"} or {@code "both"} (then use {@link #fromDirectoryBoth}). */
        public Options subset(String value) {
            subset = value;
            return this;
        }

        public Options interpolation(String kerasName) {
            interpolation = TfResize.Method.of(kerasName);
            return this;
        }

        public Options cropToAspectRatio(boolean on) {
            cropToAspectRatio = on;
            return this;
        }

        public Options padToAspectRatio(boolean on) {
            padToAspectRatio = on;
            return this;
        }
    }

    /** The listing before any split: paths, labels (null without labels) and class names, in Keras' order. */
    record Index(List<Path> paths, int[] labels, List<String> classNames) {
    }

    private ImageDatasets() {
    }

    /**
     * One image as a dataset of these options loads it (Pillow's decoding, {@code tf.image.resize} bilinear):
     * what {@code predict} and {@code evaluate} feed a model trained on such a dataset.
     */
    public static Tensor load(Path file, ColorMode mode, int height, int width) {
        return TfResize.resize(Images.decode(file, mode), height, width, TfResize.Method.BILINEAR);
    }

    /** True if the name ends with one of {@link #ALLOWLIST_FORMATS} (any case). */
    public static boolean isImageName(Path file) {
        return allowed(file);
    }

    /** Keras' defaults. */
    public static Options options() {
        return new Options();
    }

    public static ImageDataset fromDirectory(Path directory) {
        return fromDirectory(directory, options());
    }

    /** {@code image_dataset_from_directory(directory, ...)} with {@code subset} unset, training or validation. */
    public static ImageDataset fromDirectory(Path directory, Options o) {
        if ("both".equals(o.subset)) {
            throw new IllegalArgumentException("subset=\"both\" returns two datasets: use fromDirectoryBoth");
        }
        Index index = index(directory, o);
        return dataset(directory, o, index, o.subset, o.shuffle);
    }

    /** {@code subset="both"}: {@code [training, validation]}, the validation set not shuffled per epoch. */
    public static List<ImageDataset> fromDirectoryBoth(Path directory, Options o) {
        if (!"both".equals(o.subset)) {
            throw new IllegalArgumentException("fromDirectoryBoth needs subset=\"both\", got " + o.subset);
        }
        Index index = index(directory, o);
        return List.of(dataset(directory, o, index, "training", o.shuffle),
                dataset(directory, o, index, "validation", false));
    }

    private static ImageDataset dataset(Path directory, Options o, Index index, String subset, boolean shuffle) {
        int[] range = splitRange(index.paths().size(), o.validationSplit, subset);
        if (range[0] == range[1]) {
            throw new IllegalArgumentException("image_dataset_from_directory: no " + (subset == null ? "" : subset + " ")
                    + "images in " + directory + " (" + index.paths().size() + " files with extensions "
                    + ALLOWLIST_FORMATS + ", validation_split " + o.validationSplit + ")");
        }
        List<Path> paths = index.paths().subList(range[0], range[1]);
        int[] labels = index.labels() == null ? null : java.util.Arrays.copyOfRange(index.labels(), range[0], range[1]);
        return new ImageDataset(paths, labels, index.classNames(), o, shuffle);
    }

    /**
     * Keras' {@code get_training_or_validation_split} as a range {@code [from, to)} of the listing:
     * {@code n_val = int(split * n)}, training {@code [0, n - n_val)}, validation {@code [n - n_val, n)}. As in
     * Keras, {@code n_val = 0} leaves training empty too ({@code samples[:-0]}), which is reported as an error.
     */
    static int[] splitRange(int n, double split, String subset) {
        if (split == 0) {
            return new int[] {0, n};
        }
        int nVal = (int) (split * n);
        if (nVal == 0) {
            return new int[] {0, 0};
        }
        return "training".equals(subset) ? new int[] {0, n - nVal} : new int[] {n - nVal, n};
    }

    private static void check(Options o) {
        if (o.validationSplit != 0 && !(o.validationSplit > 0 && o.validationSplit < 1)) {
            throw new IllegalArgumentException("validation_split must be between 0 and 1, got " + o.validationSplit);
        }
        if ((o.validationSplit != 0) != (o.subset != null)) {
            throw new IllegalArgumentException("If subset is set, validation_split must be set, and inversely");
        }
        if (o.subset != null && !List.of("training", "validation", "both").contains(o.subset)) {
            throw new IllegalArgumentException("subset must be training, validation or both, got " + o.subset);
        }
        if (o.validationSplit != 0 && o.shuffle && o.seed == null) {
            throw new IllegalArgumentException("If using validation_split and shuffling the data, you must provide "
                    + "a seed, to make sure that there is no overlap between the training and validation subset");
        }
        if (o.cropToAspectRatio && o.padToAspectRatio) {
            throw new IllegalArgumentException("Only one of pad_to_aspect_ratio, crop_to_aspect_ratio can be set");
        }
        if (!o.inferLabels && o.classNames != null) {
            throw new IllegalArgumentException("class_names can only be passed with labels inferred from the folders");
        }
    }

    /** Keras' {@code index_directory}, then the seeded shuffle. */
    static Index index(Path directory, Options o) {
        check(o);
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("image_dataset_from_directory: " + directory + " is not a directory");
        }
        List<String> classNames = o.inferLabels ? classFolders(directory, o.classNames) : List.of("");
        List<Path> paths = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            for (Path file : imageFiles(classNames.get(c).isEmpty() ? directory : directory.resolve(classNames.get(c)))) {
                paths.add(file);
                labels.add(c);
            }
        }
        int[] labelArray;
        if (o.inferLabels) {
            labelArray = labels.stream().mapToInt(Integer::intValue).toArray();
            if (o.labelMode == LabelMode.BINARY && classNames.size() != 2) {
                throw new IllegalArgumentException("label_mode binary needs exactly 2 classes, " + directory
                        + " has " + classNames.size() + ": " + classNames);
            }
        } else if (o.explicitLabels != null) {
            if (o.explicitLabels.length != paths.size()) {
                throw new IllegalArgumentException("Expected the lengths of labels to match the number of files in "
                        + directory + ": " + o.explicitLabels.length + " labels, " + paths.size() + " files");
            }
            labelArray = o.explicitLabels.clone();
            classNames = java.util.Arrays.stream(labelArray).sorted().distinct().mapToObj(String::valueOf).toList();
        } else {
            labelArray = null;
            classNames = List.of();
        }
        if (o.shuffle) {
            long seed = o.seed != null ? o.seed : new java.util.SplittableRandom().nextInt(1_000_000);
            paths = shuffled(paths, seed);
            if (labelArray != null) {
                labelArray = shuffled(java.util.Arrays.stream(labelArray).boxed().toList(), seed).stream()
                        .mapToInt(Integer::intValue).toArray();
            }
        }
        return new Index(List.copyOf(paths), labelArray, List.copyOf(classNames));
    }

    /**
     * Step 3 on its own: {@code items} (a listing in Keras' order, steps 1 and 2) in the order numpy's
     * {@code RandomState(seed).shuffle} leaves them, a new list. For listings made elsewhere, e.g. the rows of
     * files on a cluster's storage, so that they follow the order {@code fromDirectory} gives with that seed.
     */
    public static <T> List<T> shuffled(List<T> items, long seed) {
        List<T> out = new ArrayList<>(items);
        new NumpyRandomState(seed).shuffle(out);
        return out;
    }

    private static List<String> classFolders(Path directory, List<String> requested) {
        List<String> folders = FolderListing.subfolders(directory, true);
        if (requested != null) {
            if (!new HashSet<>(folders).containsAll(requested)) {
                throw new IllegalArgumentException("The class_names passed did not match the names of the "
                        + "sub-folders of " + directory + ". Expected: " + folders + " (or a subset of it), but "
                        + "received: class_names=" + requested);
            }
            return requested;
        }
        return folders;
    }

    // Keras' iter_valid_files: os.walk without following links, in FolderListing.KERAS_FILE_ORDER.
    private static List<Path> imageFiles(Path folder) {
        return FolderListing.files(folder, false, ImageDatasets::allowed);
    }

    private static boolean allowed(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return ALLOWLIST_FORMATS.stream().anyMatch(name::endsWith);
    }
}
