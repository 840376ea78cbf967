package dev.convey.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ImageNet;
import dev.convey.data.Images;
import dev.convey.data.Interpolation;
import dev.convey.keras.KerasModelFile;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/** Spark local[2] against single-machine Convey on the ants/bees photos. */
class ConveySparkTest {

    private static final int BATCH = 8;

    static Dataset<Row> images(Path dir) {
        return SparkFixtures.spark().read().format("binaryFile").option("pathGlobFilter", "*.jpg")
                .option("recursiveFileLookup", "true").load(dir.toString());
    }

    /**
     * The batches Spark runs: each partition's rows in order, cut into batches of {@code batch}. Convey's own
     * results depend on the batch's composition in the last bits (its algorithm choice, Winograd or im2col,
     * follows the batch's tile count), so the bit-for-bit reference runs these very batches on one machine.
     */
    static List<List<Path>> sparkBatches(Dataset<Row> images, int batch) {
        Map<Integer, List<Path>> partitions = new java.util.TreeMap<>();
        for (Row r : images.select(functions.col("path"), functions.spark_partition_id().as("partition")).collectAsList()) {
            partitions.computeIfAbsent(r.getInt(1), k -> new java.util.ArrayList<>()).add(local(r.getString(0)));
        }
        List<List<Path>> batches = new java.util.ArrayList<>();
        for (List<Path> files : partitions.values()) {
            for (int start = 0; start < files.size(); start += batch) {
                batches.add(files.subList(start, Math.min(files.size(), start + batch)));
            }
        }
        return batches;
    }

    /** Single-machine Convey on each batch: load_img, img_to_array, preprocess_input, forward. */
    static Map<Path, float[]> singleMachine(Model model, List<List<Path>> batches) {
        int h = model.input().shape()[0];
        int w = model.input().shape()[1];
        Map<Path, float[]> out = new HashMap<>();
        for (List<Path> chunk : batches) {
            Tensor x = Tensor.zeros(chunk.size(), h, w, 3);
            for (int i = 0; i < chunk.size(); i++) {
                x.batchSlice(i, 1).copyFrom(Images.load(chunk.get(i), h, w, Interpolation.NEAREST).reshape(1, h, w, 3));
            }
            Tensor y = model.forward(ImageNet.preprocessInput(x));
            int per = y.size() / chunk.size();
            for (int i = 0; i < chunk.size(); i++) {
                float[] row = new float[per];
                y.data().get(i * per, row);
                out.put(chunk.get(i), row);
            }
        }
        return out;
    }

    static Path local(Row row) {
        return local(row.getString(row.fieldIndex("path")));
    }

    /** A binaryFile row's path ({@code file:/dir/ant photos.jpg}, not URI-encoded) as a local file. */
    static Path local(String sparkPath) {
        return Path.of(new org.apache.hadoop.fs.Path(sparkPath).toUri());
    }

    @Test
    void featuresEqualSingleMachineConveyBitForBit() {
        Path val = SparkFixtures.hymenoptera("val");
        Path modelFile = SparkFixtures.tinyVgg16();
        List<Row> rows = ConveySpark.features(images(val), ModelSpec.kerasFile(modelFile.toString()).batchSize(BATCH),
                "block5_pool").collectAsList();

        Model full = KerasModelFile.load(modelFile);
        Model base = new Model(full.inputs(), full.outputOf("block5_pool"), "features");
        Map<Path, float[]> expected = singleMachine(base, sparkBatches(ConveySpark.fullBatches(images(val), BATCH), BATCH));
        assertEquals(SparkFixtures.photos(val).size(), rows.size());
        assertEquals(SparkFixtures.photos(val).size(), expected.size());
        for (Row row : rows) {
            assertNull(row.get(row.fieldIndex("error")), () -> "error on " + local(row));
            float[] features = features(row);
            assertEquals(2 * 2 * 32, features.length, "block5_pool of the tiny VGG16: (2, 2, 32)");
            assertArrayEquals(expected.get(local(row)), features, () -> "features of " + local(row));
        }
        assertEquals(List.of("path", "modificationTime", "length", "features", "error"),
                List.of(rows.get(0).schema().fieldNames()));
    }

    @Test
    void predictGivesKerasTopClassesOfSingleMachineConvey() {
        Path val = SparkFixtures.hymenoptera("val");
        Path modelFile = SparkFixtures.tinyVgg16();
        List<Row> rows = ConveySpark.predict(images(val), ModelSpec.kerasFile(modelFile.toString())
                .batchSize(BATCH), 3).collectAsList();
        Map<Path, float[]> expected = singleMachine(KerasModelFile.load(modelFile),
                sparkBatches(ConveySpark.fullBatches(images(val), BATCH), BATCH));
        assertEquals(expected.size(), rows.size());
        for (Row row : rows) {
            Tensor probabilities = Tensor.of(expected.get(local(row)), 1, ImageNet.CLASSES);
            List<ImageNet.Prediction> top = ImageNet.decodePredictions(probabilities, 3).get(0);
            List<Integer> classes = row.getList(row.fieldIndex("top_classes"));
            List<Float> p = row.getList(row.fieldIndex("top_probabilities"));
            List<String> labels = row.getList(row.fieldIndex("top_labels"));
            for (int k = 0; k < 3; k++) {
                assertEquals(top.get(k).label(), labels.get(k));
                assertEquals(top.get(k).probability(), p.get(k), 0f);
                assertEquals(top.get(k).label(), ImageNet.classIndex().get(classes.get(k)).label());
            }
        }
    }

    @Test
    void aCorruptImageYieldsOneErrorRowAndTheJobGoesOn(@TempDir Path dir) throws IOException {
        List<Path> photos = SparkFixtures.photos(SparkFixtures.hymenoptera("val")).subList(0, 5);
        for (Path p : photos) {
            Files.copy(p, dir.resolve(p.getFileName()));
        }
        byte[] jpeg = Files.readAllBytes(photos.get(0));
        Files.write(dir.resolve("broken.jpg"), java.util.Arrays.copyOf(jpeg, 40)); // a JPEG cut after its header
        Files.write(dir.resolve("noise.jpg"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

        List<Row> rows = ConveySpark.features(images(dir), ModelSpec.kerasFile(SparkFixtures.tinyVgg16().toString())
                .batchSize(3), "block5_pool").collectAsList();
        assertEquals(7, rows.size());
        int errors = 0;
        for (Row row : rows) {
            String name = local(row).getFileName().toString();
            String error = row.getString(row.fieldIndex("error"));
            if (name.equals("broken.jpg") || name.equals("noise.jpg")) {
                errors++;
                assertNotNull(error, name);
                assertTrue(error.contains(name) && error.contains("Cannot decode image"), error);
                assertTrue(row.isNullAt(row.fieldIndex("features")));
            } else {
                assertNull(error, name);
                assertEquals(128, features(row).length);
            }
        }
        assertEquals(2, errors);
    }

    @Test
    void theModelIsLoadedOncePerExecutorJvmNotPerTask() throws IOException {
        // A copy of the model under a new name: a model this JVM has not loaded yet.
        Path copy = Files.createTempFile("convey-once-", ".h5");
        copy.toFile().deleteOnExit();
        Files.copy(SparkFixtures.tinyVgg16(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Dataset<Row> images = images(SparkFixtures.hymenoptera("val"));
        int partitions = ConveySpark.fullBatches(images, 32).rdd().getNumPartitions();
        assertTrue(partitions >= 4, "several tasks per executor: " + partitions + " partitions");

        int before = ExecutorModels.loads();
        long rows = ConveySpark.features(images, ModelSpec.kerasFile(copy.toString()), "block4_pool").count();
        assertEquals(SparkFixtures.photos(SparkFixtures.hymenoptera("val")).size(), rows);
        assertEquals(1, ExecutorModels.loads() - before, partitions + " tasks on 2 slots, one executor JVM");
        ConveySpark.features(images, ModelSpec.kerasFile(copy.toString()), "block4_pool").count();
        assertEquals(1, ExecutorModels.loads() - before, "a second job reuses the executor's model");
    }

    static float[] features(Row row) {
        List<Float> list = row.getList(row.fieldIndex("features"));
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
