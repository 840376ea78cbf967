package dev.convey.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ImageNet;
import dev.convey.cli.Convey;
import dev.convey.data.BatchSequence;
import dev.convey.data.ImageAugmentation;
import dev.convey.data.ImageDataset;
import dev.convey.data.ImageDatasets;
import dev.convey.keras.KerasModelFile;
import dev.convey.keras.ModelMetadata;
import dev.convey.models.Model;
import dev.convey.models.TransferLearning;
import dev.convey.tensor.Tensor;
import dev.convey.training.Adam;
import picocli.CommandLine;

/**
 * Issue 16's equal-accuracy check, both sides through their command lines with the same seed: the
 * {@code spark-features} entry ({@link SparkFeatures}, what spark-submit runs: features on Spark local[2] written
 * as Parquet, then {@code --train-head} on the driver) against {@code convey train --cache-features} (the cli's
 * TrainCommand) on one machine. The base is Keras' MobileNet (alpha 0.25, real ImageNet weights, 96x96), the
 * photos the ants/bees train folder; both models are evaluated on val: the same accuracy, the same probabilities.
 */
class HeadTrainerTest {

    private static final String SEED = "1337";
    private static final String EPOCHS = "20";
    private static final String LEARNING_RATE = "0.01";
    private static final int BATCH = 32;
    private static final List<String> CLASSES = List.of("ants", "bees");

    @Test
    void headFromSparkFeaturesHasTheAccuracyOfConveyTrainCacheFeatures(@TempDir Path dir) {
        Path train = SparkFixtures.hymenoptera("train");
        Path val = SparkFixtures.hymenoptera("val");
        SparkFixtures.spark();     // the session of the module's tests: SparkFeatures' getOrCreate() finds it

        Path fromSpark = dir.resolve("spark.h5");
        StringWriter sparkOut = new StringWriter();
        int status = new CommandLine(new SparkFeatures()).setOut(new PrintWriter(sparkOut)).execute(
                "--model-file", SparkFixtures.mobileNet().toString(), "--preprocessing", "tf", "--decoder", "image_dataset",
                "--images", train.toString(), "--glob", "*.jpg", "--output", dir.resolve("features").toString(),
                "--train-head", fromSpark.toString(), "--epochs", EPOCHS, "--lr", LEARNING_RATE, "--seed", SEED);
        assertEquals(0, status, sparkOut.toString());
        // HeadTrainer takes the rows in the order convey train reads the files: image_dataset_from_directory's.
        List<Path> sparkOrder = new HeadTrainer(null, null).seed(Long.parseLong(SEED)).ordered(SparkFixtures.spark()
                .read().parquet(dir.resolve("features").toString()).select("path", "features", "error").collectAsList())
                .stream().map(r -> ConveySparkTest.local(r).toAbsolutePath().normalize()).toList();
        assertEquals(ImageDatasets.fromDirectory(train, ImageDatasets.options().seed(Long.parseLong(SEED))).filePaths()
                .stream().map(p -> p.toAbsolutePath().normalize()).toList(), sparkOrder);
        ModelMetadata metadata = ModelMetadata.read(fromSpark).orElseThrow();
        assertEquals("tf", metadata.preprocessing());
        assertEquals(CLASSES, metadata.classNames());

        Path single = dir.resolve("single.h5");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        status = Convey.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute("train",
                "--base", "mobilenet", "--alpha", "0.25", "--weights", SparkFixtures.mobileNetWeights().toString(),
                "--image-size", "96,96", "--data", train.toString(), "--epochs", EPOCHS, "--lr", LEARNING_RATE,
                "--cache-features", "--seed", SEED, "--output", single.toString());
        assertEquals(0, status, err + "\n" + out);

        ImageDataset valSet = ImageDatasets.fromDirectory(val, ImageDatasets.options().imageSize(96, 96)
                .batchSize(BATCH).shuffle(false).labelMode(ImageDatasets.LabelMode.CATEGORICAL).classNames(CLASSES));
        Tensor[] valData = all(ImageAugmentation.mapInputs(valSet, x -> ImageNet.preprocessInput(x, "tf")));
        Model a = KerasModelFile.load(single);
        Model b = KerasModelFile.load(fromSpark);
        double singleAccuracy = accuracy(a, valData);
        double sparkAccuracy = accuracy(b, valData);
        System.out.printf("HeadTrainerTest: validation accuracy %.4f (convey train --cache-features) and %.4f "
                + "(spark-features --train-head)%n", singleAccuracy, sparkAccuracy);
        assertEquals(singleAccuracy, sparkAccuracy, 0.0, "validation accuracy: convey train vs Spark + HeadTrainer");
        // 83 of the 153 validation photos are bees: always answering "bees" scores 0.54.
        assertTrue(sparkAccuracy > 0.65, "MobileNet's ImageNet features separate ants from bees: " + sparkAccuracy);
        // Not only the accuracy: every probability, to the last bits the batch composition changes.
        Tensor expected = a.predict(valData[0], BATCH);
        Tensor actual = b.predict(valData[0], BATCH);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data().get(i), actual.data().get(i), 1e-5, "probability " + i);
        }
    }

    private static double accuracy(Model model, Tensor[] data) {
        model.compile(new Adam(), "categorical_crossentropy", "accuracy");
        return model.evaluate(data[0], data[1], BATCH).get("accuracy");
    }

    /** Every batch of a sequence stacked: {x, y}. */
    static Tensor[] all(BatchSequence data) {
        List<Tensor> xs = new java.util.ArrayList<>();
        List<Tensor> ys = new java.util.ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            xs.add(data.get(i).x());
            ys.add(data.get(i).y());
        }
        return new Tensor[] {TransferLearning.concat(xs), TransferLearning.concat(ys)};
    }
}
