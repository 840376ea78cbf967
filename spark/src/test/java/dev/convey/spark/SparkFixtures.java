package dev.convey.spark;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.MobileNet;
import dev.convey.applications.VGG16;
import dev.convey.keras.KerasModelFile;
import dev.convey.models.Model;
import dev.convey.testdata.TestData;

/** One Spark session in local[2] for every test of the module, the photos and the model files. */
final class SparkFixtures {

    private static SparkSession spark;
    private static Path tinyVgg;
    private static Path mobileNet;

    private SparkFixtures() {
    }

    /** local[2], no UI; small file partitions so a job has several tasks per executor JVM. */
    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("convey-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.sql.files.maxPartitionBytes", String.valueOf(256 << 10))
                    .config("spark.sql.files.openCostInBytes", "0")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(spark::stop));
        }
        return spark;
    }

    /** The ants/bees photos {@code train} or {@code val} folder: shipped ones first, else ../shared; skips if absent. */
    static Path hymenoptera(String split) {
        for (String shipped : List.of("hymenoptera/" + split, "images/hymenoptera/" + split)) {
            try {
                return TestData.file(shipped);
            } catch (IllegalArgumentException absent) {
                // not shipped (yet)
            }
        }
        Path shared = TestData.shared("datasets/hymenoptera/" + split).orElse(null);
        assumeTrue(shared != null, "no ants/bees photos (src-test-data or ../shared/datasets/hymenoptera)");
        return shared;
    }

    /** The JPEG files of a folder tree, sorted. */
    static List<Path> photos(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().toLowerCase().endsWith(".jpg")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keras' VGG16 at 1/16 of the width on 64x64 images (the tiny fixture weights), saved as a whole model. */
    static synchronized Path tinyVgg16() {
        if (tinyVgg == null) {
            tinyVgg = save(tinyVgg16Model(), "tiny_vgg16");
        }
        return tinyVgg;
    }

    /** Keras' real MobileNet 0.25 ImageNet weights without the top, shipped. */
    static Path mobileNetWeights() {
        return TestData.file("keras-real/mobilenet_2_5_224_tf_no_top.h5");
    }

    static Model tinyVgg16Model() {
        return VGG16.create(new ApplicationOptions().widthDivisor(16).inputShape(64, 64, 3)
                .weights(TestData.file("applications/tiny_vgg16_keras2.h5").toString()));
    }

    /**
     * Keras' MobileNet without its top, alpha 0.25, its real ImageNet weights (shipped), 96x96: the base
     * {@code convey train --base mobilenet --alpha 0.25 --image-size 96,96} builds (features 3x3x256).
     */
    static synchronized Path mobileNet() {
        if (mobileNet == null) {
            mobileNet = save(MobileNet.create(new ApplicationOptions().includeTop(false).alpha(0.25)
                    .inputShape(96, 96, 3)
                    .weights(mobileNetWeights().toString())), "mobilenet_0.25_96");
        }
        return mobileNet;
    }

    static Path save(Model model, String name) {
        try {
            Path dir = Files.createTempDirectory("convey-spark-");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(name + ".h5");
            KerasModelFile.save(model, file);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
