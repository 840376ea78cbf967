package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.keras.KerasModelFile;
import dev.convey.models.Model;
import dev.convey.testdata.TestData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convey train --class-weight} on shipped ants/bees train photos (the first 20 ants and 12 bees, unequal on
 * purpose, for a quick test), MobileNet 0.25
 * (real ImageNet weights) at 96x96 with cached features: {@code auto} is n / (classes * count_c); the explicit
 * forms by index and by name give the same training; weights of 2 on both classes with SGD train exactly as a
 * doubled rate and report twice the loss (the loss is the weighted mean, Keras' sum_over_batch_size).
 */
class ClassWeightCommandTest {

    @TempDir
    Path tmp;

    @TempDir
    static Path photos;

    private static Path TRAIN;

    @BeforeAll
    static void someShippedPhotos() throws IOException {
        TRAIN = photos.resolve("train");
        Path shipped = TestData.file("hymenoptera/train");
        for (String[] c : new String[][] {{"ants", "20"}, {"bees", "12"}}) {
            Files.createDirectories(TRAIN.resolve(c[0]));
            try (Stream<Path> files = Files.list(shipped.resolve(c[0]))) {
                for (Path f : files.sorted().limit(Integer.parseInt(c[1])).toList()) {
                    Files.copy(f, TRAIN.resolve(c[0]).resolve(f.getFileName()));
                }
            }
        }
    }

    private ConveyTest.Result train(String name, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--base", "mobilenet", "--alpha", "0.25", "--weights",
                TestData.file("keras-real/mobilenet_2_5_224_tf_no_top.h5").toString(), "--image-size", "96,96",
                "--data", TRAIN.toString(), "--epochs", "3", "--batch-size", "8", "--cache-features", "--seed", "7",
                "--output", tmp.resolve(name + ".h5").toString()));
        args.addAll(List.of(extra));
        ConveyTest.Result r = ConveyTest.run(args.toArray(new String[0]));
        assertEquals(0, r.exitCode(), r.err() + r.out());
        return r;
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    /** The phase-1 summary's final loss ("Phase 1: 2 epoch(s) in 1.2 s - loss: 0.6543 - accuracy: ..."). */
    private static double loss(ConveyTest.Result r) {
        Matcher m = Pattern.compile("Phase 1: .* - loss: ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    private float[] headKernel(String name) {
        Model m = KerasModelFile.load(tmp.resolve(name + ".h5"));
        return m.getLayer("predictions").weights().get(0).value().toArray();
    }

    @Test
    void autoIsBalancedAndExplicitFormsAreTheSame() throws IOException {
        long ants = count(TRAIN.resolve("ants"));
        long bees = count(TRAIN.resolve("bees"));
        assertEquals(32, ants + bees);
        double wAnts = (ants + bees) / (2.0 * ants);
        double wBees = (ants + bees) / (2.0 * bees);
        ConveyTest.Result auto = train("auto", "--class-weight", "auto");
        assertTrue(auto.out().contains(String.format(Locale.ROOT, "Class weights: ants %.4f, bees %.4f", wAnts, wBees)),
                auto.out());
        ConveyTest.Result byIndex = train("index", "--class-weight", "0:" + wAnts + ",1:" + wBees);
        ConveyTest.Result byName = train("name", "--class-weight", "bees:" + wBees + ",ants:" + wAnts);
        ConveyTest.Result none = train("none");
        assertEquals(loss(auto), loss(byIndex), 0.0);
        assertEquals(loss(auto), loss(byName), 0.0);
        assertEquals(java.util.Arrays.toString(headKernel("auto")), java.util.Arrays.toString(headKernel("name")));
        assertNotEquals(java.util.Arrays.toString(headKernel("auto")), java.util.Arrays.toString(headKernel("none")),
                "the class weights change the training");
    }

    @Test
    void weightTwoOnEveryClassIsTwiceTheSgdRateAndTwiceTheLoss() {
        ConveyTest.Result weighted = train("weighted", "--optimizer", "sgd", "--lr", "0.01", "--class-weight", "ants:2,bees:2");
        ConveyTest.Result doubled = train("doubled", "--optimizer", "sgd", "--lr", "0.02");
        float[] a = headKernel("weighted");
        float[] b = headKernel("doubled");
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-6f, "kernel " + i);
        }
        // The last epoch's mean loss, rounded to 4 decimals by the summary: 2 x (the unweighted one), to rounding.
        assertEquals(2 * loss(doubled), loss(weighted), 2e-4);
    }

    @Test
    void aClassThatIsNotAFolderIsRefusedWithTheClassNames() {
        ConveyTest.Result r = ConveyTest.run("train", "--base", "mobilenet", "--alpha", "0.25", "--weights",
                TestData.file("keras-real/mobilenet_2_5_224_tf_no_top.h5").toString(), "--image-size", "96,96",
                "--data", TRAIN.toString(), "--epochs", "1", "--class-weight", "wasps:2",
                "--output", tmp.resolve("x.h5").toString());
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().contains("wasps") && r.err().contains("[ants, bees]"), r.err());
    }
}
