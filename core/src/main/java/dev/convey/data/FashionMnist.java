package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The demo's data: Fashion-MNIST (28x28 grayscale clothes, 10 classes) cut for transfer learning. A network
 * learns classes 0-4 (tops, trousers, pullovers, dresses, coats) on plenty of data, then its features are reused
 * to learn classes 5-9 (sandals, shirts, sneakers, bags, ankle boots) from only 50 examples each.
 *
 * <p>The parts ship in {@code src-test-data} ({@code convey-test-data/fashion-mnist/}) as gzip IDX files, made
 * from the original four files by {@link #regenerate}:
 * <ul>
 *   <li>{@link Part#PRETRAIN}: the first 2000 training images of each class 0-4, in file order (10000)</li>
 *   <li>{@link Part#TARGET_TRAIN}: the first 50 training images of each class 5-9, labels 5-9 mapped to 0-4 (250)</li>
 *   <li>{@link Part#TARGET_TEST}: every test image of classes 5-9, labels mapped to 0-4 (5000)</li>
 * </ul>
 */
public final class FashionMnist {

    /** Fashion-MNIST's class names by label 0-9. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    static final int PRETRAIN_PER_CLASS = 2000;
    static final int TARGET_TRAIN_PER_CLASS = 50;
    static final int TARGET_FIRST_CLASS = 5;
    private static final int CLASSES_PER_TASK = 5;
    private static final String RESOURCE_DIR = "convey-test-data/fashion-mnist/";

    /** The three parts of the demo's data. */
    public enum Part {
        PRETRAIN("pretrain"), TARGET_TRAIN("target-train"), TARGET_TEST("target-test");

        private final String prefix;

        Part(String prefix) {
            this.prefix = prefix;
        }

        /** e.g. {@code pretrain-images-idx3-ubyte.gz}. */
        public String imagesFile() {
            return prefix + "-images-idx3-ubyte.gz";
        }

        /** e.g. {@code pretrain-labels-idx1-ubyte.gz}. */
        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte.gz";
        }

        /** The names of this part's 5 classes, by label 0-4. */
        public List<String> classNames() {
            int first = this == PRETRAIN ? 0 : TARGET_FIRST_CLASS;
            return CLASS_NAMES.subList(first, first + CLASSES_PER_TASK);
        }
    }

    /** Images {@code (N, 28, 28, 1)} scaled to [0, 1] and their labels 0-4. */
    public record Subset(Tensor images, int[] labels, List<String> classNames) {
        public int size() {
            return labels.length;
        }

        /** Labels as floats {@code (N,)}, for {@code sparse_categorical_crossentropy}. */
        public Tensor sparseLabels() {
            return ClassMode.SPARSE.encode(labels, classNames.size());
        }

        /** One-hot labels {@code (N, 5)}, for {@code categorical_crossentropy}. */
        public Tensor oneHotLabels() {
            return ClassMode.CATEGORICAL.encode(labels, classNames.size());
        }
    }

    private FashionMnist() {
    }

    /** A part as shipped in src-test-data (on the classpath). */
    public static Subset loadShipped(Part part) {
        return toSubset(part, readResource(part.imagesFile()), readResource(part.labelsFile()));
    }

    /** A part from a directory holding its two files. */
    public static Subset load(Path directory, Part part) throws IOException {
        return toSubset(part, Idx.read(directory.resolve(part.imagesFile())),
                Idx.read(directory.resolve(part.labelsFile())));
    }

    /** Images as {@code (N, 28, 28, 1)} floats {@code value / 255}, checked against the labels. */
    static Subset toSubset(Part part, Idx.Array images, Idx.Array labels) {
        int[] s = images.shape();
        if (s.length != 3 || labels.shape().length != 1 || labels.shape()[0] != s[0]) {
            throw new IllegalArgumentException("Fashion-MNIST " + part + ": images " + java.util.Arrays.toString(s)
                    + " and labels " + java.util.Arrays.toString(labels.shape())
                    + " do not match; expected (N, 28, 28) and (N)");
        }
        Tensor x = Tensor.zeros(s[0], s[1], s[2], 1);
        for (int i = 0; i < images.data().length; i++) {
            x.data().put(i, images.at(i) / 255f);
        }
        int[] y = new int[s[0]];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.at(i);
            if (y[i] >= CLASSES_PER_TASK) {
                throw new IllegalArgumentException("Fashion-MNIST " + part + ": label " + y[i] + " of sample " + i
                        + " is outside 0-4");
            }
        }
        return new Subset(x, y, part.classNames());
    }

    private static Idx.Array readResource(String file) {
        InputStream raw = FashionMnist.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + file);
        if (raw == null) {
            throw new IllegalStateException("The demo data " + RESOURCE_DIR + file + " is not on the classpath: add "
                    + "the convey-src-test-data module, or use FashionMnist.load(directory, part)");
        }
        try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
            return Idx.read(new java.io.BufferedInputStream(in), RESOURCE_DIR + file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the three parts into {@code outDir} from the original files in {@code originalDir}
     * ({@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz}, {@code t10k-...}).
     */
    public static void regenerate(Path originalDir, Path outDir) throws IOException {
        Idx.Array trainImages = Idx.read(originalDir.resolve("train-images-idx3-ubyte.gz"));
        Idx.Array trainLabels = Idx.read(originalDir.resolve("train-labels-idx1-ubyte.gz"));
        Idx.Array testImages = Idx.read(originalDir.resolve("t10k-images-idx3-ubyte.gz"));
        Idx.Array testLabels = Idx.read(originalDir.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.createDirectories(outDir);
        writePart(outDir, Part.PRETRAIN, trainImages, trainLabels, 0, PRETRAIN_PER_CLASS);
        writePart(outDir, Part.TARGET_TRAIN, trainImages, trainLabels, TARGET_FIRST_CLASS, TARGET_TRAIN_PER_CLASS);
        writePart(outDir, Part.TARGET_TEST, testImages, testLabels, TARGET_FIRST_CLASS, Integer.MAX_VALUE);
    }

    // Keeps, in file order, the first `perClass` samples of each class firstClass..firstClass+4, with labels
    // shifted down by firstClass.
    private static void writePart(Path outDir, Part part, Idx.Array images, Idx.Array labels, int firstClass,
                                  int perClass) throws IOException {
        int n = labels.shape()[0];
        int pixels = images.data().length / n;
        int[] taken = new int[CLASSES_PER_TASK];
        java.io.ByteArrayOutputStream keptImages = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream keptLabels = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            int c = labels.at(i) - firstClass;
            if (c >= 0 && c < CLASSES_PER_TASK && taken[c] < perClass) {
                taken[c]++;
                keptImages.write(images.data(), i * pixels, pixels);
                keptLabels.write(c);
            }
        }
        int count = keptLabels.size();
        Idx.write(outDir.resolve(part.imagesFile()), new int[] {count, images.shape()[1], images.shape()[2]},
                keptImages.toByteArray());
        Idx.write(outDir.resolve(part.labelsFile()), new int[] {count}, keptLabels.toByteArray());
    }

    /**
     * Regenerates the shipped files: {@code java -cp core/target/classes dev.convey.data.FashionMnist
     * ../shared/datasets/fashion-mnist src-test-data/src/main/resources/convey-test-data/fashion-mnist}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: FashionMnist ORIGINAL_DIR OUT_DIR");
            System.exit(2);
        }
        regenerate(Paths.get(args[0]), Paths.get(args[1]));
    }
}
