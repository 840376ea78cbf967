package dev.convey.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ImageNet;
import dev.convey.data.BatchSequence;
import dev.convey.data.ImageAugmentation;
import dev.convey.data.ImageDataset;
import dev.convey.data.ImageDatasets;
import dev.convey.keras.KerasModelFile;
import dev.convey.keras.ModelMetadata;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.training.Adam;
import dev.convey.models.TransferLearning;

/**
 * Features on Spark, written as Parquet, the head trained from the Parquet on the driver, against
 * {@code convey train --cache-features}' steps on one machine (image_dataset_from_directory, extractFeatures,
 * trainHeadOnFeatures) with the same seed: the same validation accuracy and the same probabilities. The base is
 * Keras' MobileNet (alpha 0.25, real ImageNet weights, 96x96, average pooling) on the ants/bees photos.
 */
class HeadTrainerTest {

    private static final long SEED = 1337;
    private static final int EPOCHS = 20;
    private static final int BATCH = 32;
    private static final double LEARNING_RATE = 1e-2;
    private static final List<String> CLASSES = List.of("ants", "bees");

    @Test
    void headFromSparkFeaturesHasTheAccuracyOfConveyTrainCacheFeatures(@TempDir Path dir) {
        Path train = SparkFixtures.hymenoptera("train");
        Path val = SparkFixtures.hymenoptera("val");
        Path baseFile = SparkFixtures.mobileNet();
        ModelSpec spec = ModelSpec.kerasFile(baseFile.toString()).preprocessing("tf").decoder("image_dataset")
                .batchSize(BATCH);

        String parquet = dir.resolve("features.parquet").toString();
        ConveySpark.features(ConveySparkTest.images(train), spec, null).write().parquet(parquet);
        Dataset<Row> features = SparkFixtures.spark().read().parquet(parquet);
        HeadTrainer.Result result = new HeadTrainer(spec, null).epochs(EPOCHS).batchSize(BATCH)
                .learningRate(LEARNING_RATE).seed(SEED).train(features);
        assertEquals(CLASSES, result.classNames());
        assertEquals(0, result.skipped());
        Path saved = dir.resolve("ants_bees.h5");
        result.save(saved);
        ModelMetadata metadata = ModelMetadata.read(saved).orElseThrow();
        assertEquals("tf", metadata.preprocessing());
        assertEquals(CLASSES, metadata.classNames());

        // convey train --base FILE --data train --epochs 20 --lr 0.01 --cache-features --seed 1337, step by step (in path
        // order: the Parquet has no shuffled file order to follow).
        ImageDatasets.Options options = ImageDatasets.options().imageSize(96, 96).batchSize(BATCH).shuffle(false)
                .labelMode(ImageDatasets.LabelMode.CATEGORICAL);
        ImageDataset trainSet = ImageDatasets.fromDirectory(train, options);
        assertEquals(result.samples(), trainSet.sampleCount());
        TransferLearning tl = TransferLearning.on(KerasModelFile.load(baseFile)).classes(CLASSES.size());
        Layer.setRandomSeed(SEED);
        Model single = tl.build();
        Tensor[] cached = tl.extractFeatures(tf(trainSet), BATCH);
        tl.trainHeadOnFeatures(new Adam(LEARNING_RATE), cached, null, BATCH, EPOCHS, SEED);

        ImageDataset valSet = ImageDatasets.fromDirectory(val, options.classNames(CLASSES));
        Tensor[] valData = all(tf(valSet));
        single.compile(new Adam(), "categorical_crossentropy", "accuracy");
        double singleAccuracy = single.evaluate(valData[0], valData[1], BATCH).get("accuracy");
        Model fromSpark = KerasModelFile.load(saved);
        fromSpark.compile(new Adam(), "categorical_crossentropy", "accuracy");
        double sparkAccuracy = fromSpark.evaluate(valData[0], valData[1], BATCH).get("accuracy");
        System.out.printf("HeadTrainerTest: validation accuracy %.4f (one machine) and %.4f (Spark + HeadTrainer)%n",
                singleAccuracy, sparkAccuracy);
        assertEquals(singleAccuracy, sparkAccuracy, 0.0, "validation accuracy: one machine vs Spark + HeadTrainer");
        // 83 of the 153 validation photos are bees: always answering "bees" scores 0.54.
        assertTrue(sparkAccuracy > 0.65, "MobileNet's ImageNet features separate ants from bees: " + sparkAccuracy);
        // Not only the accuracy: every probability, to the last bits the batch composition changes.
        Tensor expected = single.predict(valData[0], BATCH);
        Tensor actual = fromSpark.predict(valData[0], BATCH);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data().get(i), actual.data().get(i), 1e-5, "probability " + i);
        }
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

    /** The dataset's batches through preprocess_input "tf" (convey train's metadata::preprocess). */
    static BatchSequence tf(ImageDataset data) {
        return ImageAugmentation.mapInputs(data, x -> ImageNet.preprocessInput(x, "tf"));
    }
}
