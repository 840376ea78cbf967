package dev.convey.spark;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import dev.convey.applications.ImageNet;

/**
 * Convey over a Spark DataFrame of image files, {@code spark.read().format("binaryFile").load(dir)}:
 * <pre>
 *   Dataset&lt;Row&gt; images = spark.read().format("binaryFile").option("pathGlobFilter", "*.jpg")
 *           .option("recursiveFileLookup", "true").load("s3a://bucket/photos");
 *   ConveySpark.features(images, ModelSpec.kerasFile("/mnt/models/vgg16.h5"), "block5_pool")
 *           .write().parquet("s3a://bucket/features");          // path, modificationTime, length, features, error
 *   ConveySpark.predict(images, spec, 5)                         // ..., top_classes, top_probabilities, top_labels, error
 * </pre>
 * Each partition runs in batches through the one model its executor JVM loaded ({@link ExecutorModels});
 * an image that cannot be decoded gives a row with its {@code error} and null results, never a failed job.
 */
public final class ConveySpark {

    private ConveySpark() {
    }

    /**
     * The input rows without {@code content}, plus {@code features: array<float>}, the output of {@code layer}
     * (null: the model's output) flattened in C order (NHWC: Keras' {@code model.predict(x)[i].ravel()}), and
     * {@code error: string}.
     */
    public static Dataset<Row> features(Dataset<Row> images, ModelSpec model, String layer) {
        return run(images, model, layer, new FeatureColumns());
    }

    /**
     * The input rows without {@code content}, plus the {@code top} most probable classes of the model's
     * output: {@code top_classes: array<int>}, {@code top_probabilities: array<float>} (most probable first,
     * ties to the higher index as Keras' decode_predictions) and {@code top_labels: array<string>} (ImageNet's
     * labels for a 1000-class output, {@code classNames} if given, else null), and {@code error}.
     */
    public static Dataset<Row> predict(Dataset<Row> images, ModelSpec model, int top, List<String> classNames) {
        if (top < 1) {
            throw new IllegalArgumentException("top must be at least 1, got " + top);
        }
        return run(images, model, null, new TopKColumns(top, classNames));
    }

    /** {@link #predict(Dataset, ModelSpec, int, List)} with ImageNet's labels for 1000-class models. */
    public static Dataset<Row> predict(Dataset<Row> images, ModelSpec model, int top) {
        return predict(images, model, top, null);
    }

    private static Dataset<Row> run(Dataset<Row> images, ModelSpec model, String layer, BatchedInference.Columns columns) {
        BatchedInference job = new BatchedInference(images.schema(), model, layer, columns);
        return fullBatches(images, model.batchSize()).mapPartitions(job, Encoders.row(job.schema()));
    }

    /**
     * Spark packs small files into partitions by bytes, each file costing {@code spark.sql.files.openCostInBytes}
     * (4 MB) more than its size: photos of a few hundred kilobytes then come one per partition, and each task
     * would run a batch of one image (slower per image, and a task's overhead each). Partitions are therefore
     * merged (coalesce: no shuffle) into at most {@code max(cores, ceil(files / batch))}: a batch per task at
     * least, every core busy. Coalescing to more partitions than there are is a no-op, so the plan is not asked
     * for its partition count (that would plan the query once more).
     */
    static Dataset<Row> fullBatches(Dataset<Row> images, int batch) {
        long files = images.inputFiles().length;
        int cores = images.sparkSession().sparkContext().defaultParallelism();
        long target = Math.max(cores, (files + batch - 1) / batch);
        return files > 0 && target < Integer.MAX_VALUE ? images.coalesce((int) target) : images;
    }

    /** {@code features}: the whole output of one image. */
    static final class FeatureColumns implements BatchedInference.Columns {
        private static final long serialVersionUID = 1L;

        @Override
        public List<StructField> fields() {
            return List.of(DataTypes.createStructField("features",
                    DataTypes.createArrayType(DataTypes.FloatType, false), true));
        }

        @Override
        public Object[] values(float[] output) {
            return new Object[] {output};
        }
    }

    /** {@code top_classes}, {@code top_probabilities}, {@code top_labels}. */
    static final class TopKColumns implements BatchedInference.Columns {
        private static final long serialVersionUID = 1L;

        private final int top;
        private final List<String> classNames;

        TopKColumns(int top, List<String> classNames) {
            this.top = top;
            this.classNames = classNames == null ? null : List.copyOf(classNames);
        }

        @Override
        public List<StructField> fields() {
            return List.of(
                    DataTypes.createStructField("top_classes", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
                    DataTypes.createStructField("top_probabilities", DataTypes.createArrayType(DataTypes.FloatType, false), true),
                    DataTypes.createStructField("top_labels", DataTypes.createArrayType(DataTypes.StringType, false), true));
        }

        @Override
        public Object[] values(float[] output) {
            int k = Math.min(top, output.length);
            int[] classes = TopK.indices(output, k);
            float[] probabilities = new float[k];
            String[] labels = new String[k];
            List<String> names = names(output.length);
            for (int i = 0; i < k; i++) {
                probabilities[i] = output[classes[i]];
                labels[i] = names == null ? null : names.get(classes[i]);
            }
            return new Object[] {classes, probabilities, names == null ? null : labels};
        }

        private List<String> names(int outputs) {
            if (classNames != null) {
                if (classNames.size() != outputs) {
                    throw new IllegalArgumentException(classNames.size() + " class names for a model with "
                            + outputs + " outputs");
                }
                return classNames;
            }
            return outputs == ImageNet.CLASSES ? ImageNet.classIndex().stream().map(ImageNet.ImageNetClass::label).toList() : null;
        }
    }
}
