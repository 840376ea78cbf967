package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.data.ImageDataGenerator.Subset;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDataGeneratorTest {

    @TempDir
    Path tmp;

    /** A 6x5 PNG whose every pixel is (red, 0, 0) with red = value, so a batch row tells which file it came from. */
    private static void png(Path file, int value) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(5, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 5; x++) {
                image.setRGB(x, y, (value << 16) | (x * 40 << 8) | y * 40);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }

    /** Class folders "zebra" (7 images, red 100..106) and "aardvark" (10 images, red 0..9). */
    private Path twoClasses() throws IOException {
        Path root = tmp.resolve("animals");
        for (int i = 0; i < 10; i++) {
            png(root.resolve("aardvark/img_" + String.format("%02d", i) + ".png"), i);
        }
        for (int i = 0; i < 7; i++) {
            png(root.resolve("zebra/img_" + String.format("%02d", i) + ".png"), 100 + i);
        }
        return root;
    }

    private static List<Integer> reds(BatchSequence seq) {
        List<Integer> reds = new ArrayList<>();
        for (int b = 0; b < seq.size(); b++) {
            Tensor x = seq.get(b).x();
            for (int k = 0; k < x.dim(0); k++) {
                reds.add(Math.round(x.get(k, 0, 0, 0)));
            }
        }
        return reds;
    }

    @Test
    void classFoldersInAlphabeticalOrderAndLabelsInEachClassMode() throws IOException {
        Path root = twoClasses();
        ImageDataGenerator gen = new ImageDataGenerator();
        DirectoryIterator it = gen.flowFromDirectory(root, 6, 5, 8, ClassMode.SPARSE, false, 1, null);
        assertEquals(Map.of("aardvark", 0, "zebra", 1), it.classIndices());
        assertEquals(17, it.sampleCount());
        assertEquals(3, it.size());
        BatchSequence.Batch last = it.get(2);
        assertEquals(1, last.size());
        assertArrayEquals(new float[] {1}, last.y().toArray());
        assertEquals(106f, last.x().get(0, 0, 0, 0));
        // Green and blue carry x * 40 and y * 40: the image arrives unresized, as decoded.
        assertEquals(4 * 40f, last.x().get(0, 0, 4, 1));
        assertEquals(5 * 40f, last.x().get(0, 5, 0, 2));

        BatchSequence.Batch categorical = gen.flowFromDirectory(root, 6, 5, 17, ClassMode.CATEGORICAL, false, 1, null)
                .get(0);
        assertArrayEquals(new int[] {17, 2}, categorical.y().shape());
        assertArrayEquals(new float[] {1, 0}, categorical.y().batchSlice(9, 1).toArray());
        assertArrayEquals(new float[] {0, 1}, categorical.y().batchSlice(10, 1).toArray());
        BatchSequence.Batch binary = gen.flowFromDirectory(root, 6, 5, 17, ClassMode.BINARY, false, 1, null).get(0);
        assertArrayEquals(new int[] {17, 1}, binary.y().shape());
        assertEquals(1f, binary.y().get(16, 0));
    }

    @Test
    void validationSplitTakesTheFirstFilesOfEachClass() throws IOException {
        Path root = twoClasses();
        ImageDataGenerator gen = new ImageDataGenerator().validationSplit(0.25);
        // Keras: per class, validation = files[0 : int(0.25 n)], training = files[int(0.25 n) : n].
        DirectoryIterator validation = gen.flowFromDirectory(root, 6, 5, 4, ClassMode.SPARSE, false, 1,
                Subset.VALIDATION);
        DirectoryIterator training = gen.flowFromDirectory(root, 6, 5, 4, ClassMode.SPARSE, false, 1,
                Subset.TRAINING);
        assertEquals(List.of(0, 1, 100), reds(validation)); // int(2.5) = 2 aardvarks, int(1.75) = 1 zebra
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9, 101, 102, 103, 104, 105, 106), reds(training));
        assertEquals(root.resolve("zebra/img_00.png"), validation.filepaths().get(2));
        assertThrows(IllegalStateException.class, () -> new ImageDataGenerator()
                .flowFromDirectory(root, 6, 5, 4, ClassMode.SPARSE, false, 1, Subset.VALIDATION));
    }

    @Test
    void augmentationIsDeterministicForASeedWhateverTheThreads() throws IOException {
        Path root = twoClasses();
        ImageDataGenerator gen = new ImageDataGenerator().rotationRange(40).widthShiftRange(0.2)
                .heightShiftRange(0.2).shearRange(10).zoomRange(0.3).horizontalFlip(true).verticalFlip(true)
                .fillMode(FillMode.REFLECT).rescale(1 / 255.0);
        DirectoryIterator a = gen.flowFromDirectory(root, 6, 5, 5, ClassMode.CATEGORICAL, true, 5, null);
        DirectoryIterator b = gen.flowFromDirectory(root, 6, 5, 5, ClassMode.CATEGORICAL, true, 5, null);
        DirectoryIterator other = gen.flowFromDirectory(root, 6, 5, 5, ClassMode.CATEGORICAL, true, 6, null);
        List<float[]> epoch0 = new ArrayList<>();
        try (Prefetcher background = new Prefetcher(b, 2, 2)) {
            for (int epoch = 0; epoch < 2; epoch++) {
                // b through background threads in order, a directly in reverse: same batches.
                List<float[]> viaThreads = new ArrayList<>();
                for (int i = 0; i < background.size(); i++) {
                    viaThreads.add(background.get(i).x().toArray());
                }
                for (int i = a.size() - 1; i >= 0; i--) {
                    float[] direct = a.get(i).x().toArray();
                    assertArrayEquals(direct, viaThreads.get(i), "epoch " + epoch + " batch " + i);
                    if (epoch == 0) {
                        epoch0.add(0, direct);
                    } else {
                        assertFalse(Arrays.equals(epoch0.get(i), direct), "new epoch, new draws");
                    }
                }
                a.onEpochEnd();
                background.onEpochEnd();
            }
        }
        assertFalse(Arrays.equals(epoch0.get(0), other.get(0).x().toArray()), "seed matters");
        // The draws do transform the pixels (not just the order): unshuffled, augmented != plain.
        float[] augmented = gen.flowFromDirectory(root, 6, 5, 5, ClassMode.SPARSE, false, 5, null).get(0).x().toArray();
        float[] plain = new ImageDataGenerator().rescale(1 / 255.0)
                .flowFromDirectory(root, 6, 5, 5, ClassMode.SPARSE, false, 5, null).get(0).x().toArray();
        assertFalse(Arrays.equals(plain, augmented));
        float[] first = epoch0.get(0);
        for (float v : first) {
            assertTrue(v >= 0 && v <= 1, "rescaled into [0, 1]: " + v);
        }
    }

    @Test
    void randomTransformDrawsWithinKerasRanges() {
        ImageDataGenerator gen = new ImageDataGenerator().rotationRange(20).widthShiftRange(0.1)
                .heightShiftRange(3).shearRange(5).zoomRange(0.2).horizontalFlip(true);
        SplittableRandom rng = new SplittableRandom(1);
        int flips = 0;
        for (int i = 0; i < 2000; i++) {
            ImageDataGenerator.RandomTransform t = gen.randomTransform(40, 50, rng);
            assertTrue(Math.abs(t.theta()) <= 20 && Math.abs(t.shear()) <= 5);
            assertTrue(Math.abs(t.tx()) <= 3, "height shift >= 1 is in pixels: " + t.tx());
            assertTrue(Math.abs(t.ty()) <= 0.1 * 50, "width shift < 1 is a fraction of the width: " + t.ty());
            assertTrue(t.zx() >= 0.8 && t.zx() <= 1.2 && t.zy() >= 0.8 && t.zy() <= 1.2 && t.zx() != t.zy());
            assertFalse(t.flipVertical());
            flips += t.flipHorizontal() ? 1 : 0;
        }
        assertTrue(flips > 900 && flips < 1100, "about half flipped: " + flips);
    }

    @Test
    void undecodableFilesAreReportedAndSkippedNeverFatal() throws IOException {
        Path root = tmp.resolve("mixed");
        for (int i = 0; i < 3; i++) {
            png(root.resolve("a/ok_" + i + ".png"), i);
        }
        png(root.resolve("b/ok.png"), 50);
        Files.writeString(root.resolve("a/broken.jpg"), "<html>not found</html>");
        Files.writeString(root.resolve("a/notes.txt"), "not listed: not an image extension");
        // A PNG cut after its header: recognised at listing, fails when decoded in a batch.
        byte[] whole = Files.readAllBytes(root.resolve("b/ok.png"));
        Files.write(root.resolve("b/truncated.png"), Arrays.copyOf(whole, 40));

        List<DirectoryIterator.SkippedImage> reported = new ArrayList<>();
        DirectoryIterator it = new ImageDataGenerator().flowFromDirectory(root, DirectoryIterator.options()
                .targetSize(6, 5).batchSize(10).classMode(ClassMode.SPARSE).shuffle(false)
                .onSkipped(s -> { synchronized (reported) { reported.add(s); } }));
        assertEquals(root.resolve("a/broken.jpg"), reported.get(0).file());
        assertEquals(5, it.sampleCount()); // 3 + ok.png + truncated.png
        BatchSequence.Batch batch = it.get(0);
        assertEquals(4, batch.size(), "the truncated file is left out of its batch");
        assertArrayEquals(new float[] {0, 0, 0, 1}, batch.y().toArray());
        assertEquals(2, reported.size());
        assertEquals(root.resolve("b/truncated.png"), reported.get(1).file());
        assertTrue(reported.get(1).reason().contains("truncated.png"), reported.get(1).reason());
        assertEquals(reported, it.skipped());
        it.onEpochEnd();
        assertEquals(4, it.sampleCount());
        assertEquals(4, it.get(0).size());
        assertEquals(2, reported.size(), "each file is reported once");
    }

    @Test
    void emptyDirectoriesAreClearErrors() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageDataGenerator().flowFromDirectory(empty, 6, 5, 2, ClassMode.SPARSE, false, 1, null));
        assertTrue(e.getMessage().contains("no class sub-folders") && e.getMessage().contains(empty.toString()));
        Files.createDirectories(empty.resolve("cats"));
        e = assertThrows(IllegalArgumentException.class,
                () -> new ImageDataGenerator().flowFromDirectory(empty, 6, 5, 2, ClassMode.SPARSE, false, 1, null));
        assertTrue(e.getMessage().contains("found no readable images"), e.getMessage());
    }

    @Test
    void hymenopteraAntsAndBees() {
        Optional<Path> shared = TestData.shared("datasets/hymenoptera");
        Assumptions.assumeTrue(shared.isPresent(), "../shared/datasets/hymenoptera is absent");
        Path train = shared.get().resolve("train");
        List<DirectoryIterator.SkippedImage> reported = new ArrayList<>();
        DirectoryIterator it = new ImageDataGenerator().rescale(1 / 255.0).flowFromDirectory(train,
                DirectoryIterator.options().targetSize(32, 32).batchSize(4).classMode(ClassMode.BINARY).seed(1)
                        .onSkipped(reported::add));
        assertEquals(Map.of("ants", 0, "bees", 1), it.classIndices());
        int[] perClass = new int[2];
        for (int c : it.classes()) {
            perClass[c]++;
        }
        // 124 files in ants/, but Keras lists only png/jpg/jpeg/bmp/ppm/tif/tiff: the placeholder
        // imageNotFound.gif (which ImageIO does decode, see ImagesTest) is not listed, as in Keras.
        assertArrayEquals(new int[] {123, 121}, perClass);
        assertFalse(it.filepaths().contains(train.resolve("ants/imageNotFound.gif")));
        assertEquals(List.of(), reported);
        BatchSequence.Batch batch = it.get(0);
        assertArrayEquals(new int[] {4, 32, 32, 3}, batch.x().shape());
        assertArrayEquals(new int[] {4, 1}, batch.y().shape());

        DirectoryIterator validation = new ImageDataGenerator().validationSplit(0.2).flowFromDirectory(train, 32,
                32, 16, ClassMode.CATEGORICAL, false, 1, Subset.VALIDATION);
        assertEquals(24 + 24, validation.sampleCount()); // int(0.2 * 123) + int(0.2 * 121)
    }
}
