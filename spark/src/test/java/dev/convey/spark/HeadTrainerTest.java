package dev.convey.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ImageNet;
import dev.convey.data.Images;
import dev.convey.data.Interpolation;
import dev.convey.keras.KerasModelFile;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;
import dev.convey.training.Adam;
import dev.convey.training.FitOptions;

/**
 * Features on Spark, written as Parquet, the head trained from the Parquet on the driver: the same accuracy on
 * the validation photos as single-machine transfer learning (frozen base, same head, same seed, same batches).
 */
class HeadTrainerTest {

    private static final long SEED = 7;
    private static final int EPOCHS = 4;
    private static final int BATCH = 16;
    private static final double LEARNING_RATE = 1e-3;
    private static final List<String> CLASSES = List.of("ants", "bees");

    @Test
    void headFromSparkFeaturesHasTheAccuracyOfSingleMachineTransferLearning(@TempDir Path dir) {
        Path train = SparkFixtures.hymenoptera("train");
        Path val = SparkFixtures.hymenoptera("val");
        ModelSpec spec = ModelSpec.kerasFile(SparkFixtures.tinyVgg16().toString()).batchSize(16);

        String parquet = dir.resolve("features.parquet").toString();
        ConveySpark.features(ConveySparkTest.images(train), spec, "block5_pool").write().parquet(parquet);
        Dataset<Row> features = SparkFixtures.spark().read().parquet(parquet);
        HeadTrainer.Result result = new HeadTrainer(spec, "block5_pool").epochs(EPOCHS).batchSize(BATCH)
                .learningRate(LEARNING_RATE).seed(SEED).train(features);
        assertEquals(CLASSES, result.classNames());
        assertEquals(0, result.skipped());
        Path saved = dir.resolve("ants_bees.h5");
        result.save(saved);

        // The same images in the trainer's order (sorted by path), the same head and seed, on one machine.
        List<Path> files = features.select("path").orderBy("path").collectAsList().stream()
                .map(r -> ConveySparkTest.local(r.getString(0))).toList();
        assertEquals(result.samples(), files.size());
        Model full = KerasModelFile.load(SparkFixtures.tinyVgg16());
        Model base = ExecutorModels.cut(full, "block5_pool");
        base.setTrainable(false);
        SymbolicTensor image = Input.of("image", 64, 64, 3);
        Model single = new Model(image, HeadTrainer.head(base.apply(image), CLASSES.size(), SEED), "single_machine");
        single.compile(new Adam(LEARNING_RATE), "categorical_crossentropy", "accuracy");
        single.fit(load(files), oneHot(files), FitOptions.builder().batchSize(BATCH).epochs(EPOCHS).shuffle(true)
                .seed(SEED).verbose(false).build());

        List<Path> valFiles = SparkFixtures.photos(val);
        Tensor valX = load(valFiles);
        Tensor valY = oneHot(valFiles);
        double singleAccuracy = single.evaluate(valX, valY, 32).get("accuracy");
        Model fromSpark = KerasModelFile.load(saved);
        fromSpark.compile(new Adam(), "categorical_crossentropy", "accuracy");
        double sparkAccuracy = fromSpark.evaluate(valX, valY, 32).get("accuracy");
        assertEquals(singleAccuracy, sparkAccuracy, 0.0, "validation accuracy: single machine vs Spark + HeadTrainer");
        // Not only the accuracy: every probability, to the last bits the batch composition changes.
        Tensor expected = single.predict(valX, 32);
        Tensor actual = fromSpark.predict(valX, 32);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data().get(i), actual.data().get(i), 1e-5, "probability " + i);
        }
    }

    /** load_img + preprocess_input of each file, stacked. */
    static Tensor load(List<Path> files) {
        Tensor x = Tensor.zeros(files.size(), 64, 64, 3);
        for (int i = 0; i < files.size(); i++) {
            x.batchSlice(i, 1).copyFrom(Images.load(files.get(i), 64, 64, Interpolation.NEAREST).reshape(1, 64, 64, 3));
        }
        return ImageNet.preprocessInput(x);
    }

    static Tensor oneHot(List<Path> files) {
        Tensor y = Tensor.zeros(files.size(), CLASSES.size());
        for (int i = 0; i < files.size(); i++) {
            y.set(1f, i, CLASSES.indexOf(files.get(i).getParent().getFileName().toString()));
        }
        return y;
    }
}
