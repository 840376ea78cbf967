package dev.convey.spark;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The spark-submit entry of {@code spark/target/convey-spark.jar} for people who do not write Java:
 * <pre>
 *   spark-submit --class dev.convey.spark.SparkFeatures convey-spark.jar \
 *       --model-file /mnt/models/vgg16.h5 --layer block5_pool --images s3a://bucket/photos --output s3a://bucket/features
 *   ... --top 5 --output predictions/                      (classes instead of features)
 *   ... --train-head ants_bees.h5 --epochs 10 --seed 42    (then the head on the driver: base + head as a Keras file)
 * </pre>
 * docs/SCALING.md has the cluster settings (executor cores, memory, {@code -XX:ActiveProcessorCount}).
 */
@Command(name = "spark-features", mixinStandardHelpOptions = true,
        description = "Convey on Spark: features (or top classes) of every image of a folder tree, as Parquet.")
public final class SparkFeatures implements Callable<Integer> {

    @Option(names = "--model-file", required = true, paramLabel = "KERAS.h5",
            description = "A Keras model file (model.save()); a path every executor reads, unless --broadcast.")
    String modelFile;

    @Option(names = "--broadcast", description = "Read the model file on the driver and broadcast its bytes.")
    boolean broadcast;

    @Option(names = "--layer", paramLabel = "NAME", description = "The feature layer (default: the model's output).")
    String layer;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Images: a folder tree, any Hadoop URI.")
    String images;

    @Option(names = "--glob", defaultValue = "*", paramLabel = "PATTERN", description = "File names to read (default *).")
    String glob;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the Parquet goes.")
    String output;

    @Option(names = "--top", defaultValue = "0", paramLabel = "K", description = "Top-K classes instead of features.")
    int top;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Images per forward pass.")
    int batchSize;

    @Option(names = "--preprocessing", paramLabel = "caffe|tf|torch|none",
            description = "Keras' preprocess_input mode (default: the model file's, saved by convey train; else caffe).")
    String preprocessing;

    @Option(names = "--decoder", paramLabel = "load_img|image_dataset",
            description = "load_img (nearest, Keras' predict examples) or image_dataset (bilinear, convey train);"
                    + " default: image_dataset for a model saved by convey train, else load_img.")
    String decoder;

    @Option(names = "--interpolation", defaultValue = "nearest", paramLabel = "NAME",
            description = "load_img's resizing filter (default nearest).")
    String interpolation;

    @Option(names = "--head", paramLabel = "SPEC", description = "Head layers before the softmax, as convey train's"
            + " --head (default gap on a feature map, none on a vector).")
    String head;

    @Option(names = "--train-head", paramLabel = "OUT.h5",
            description = "Then train a Dense head on the features (labels: folder names) and save base + head.")
    Path trainHead;

    @Option(names = "--epochs", defaultValue = "10", description = "Head training epochs (default 10).")
    int epochs;

    @Option(names = "--seed", defaultValue = "42", description = "Head training seed (default 42), as convey train's --seed.")
    long seed;

    @Option(names = "--lr", defaultValue = "0.001", paramLabel = "F", description = "Head training rate of Adam (default 0.001).")
    double learningRate;

    @Override
    public Integer call() {
        if (trainHead != null && top > 0) {
            throw new IllegalArgumentException("--train-head trains on features: leave out --top");
        }
        SparkSession spark = SparkSession.builder().appName("convey-spark-features").getOrCreate();
        ModelSpec spec = (broadcast ? ModelSpec.broadcast(spark, Path.of(modelFile)) : ModelSpec.kerasFile(modelFile))
                .batchSize(batchSize).interpolation(interpolation);
        if (preprocessing != null) {
            spec.preprocessing(preprocessing);
        }
        if (decoder != null) {
            spec.decoder(decoder);
        }
        Dataset<Row> files = spark.read().format("binaryFile").option("pathGlobFilter", glob)
                .option("recursiveFileLookup", "true").load(images);
        Dataset<Row> result = top > 0 ? ConveySpark.predict(files, spec, top) : ConveySpark.features(files, spec, layer);
        result.write().mode("errorifexists").parquet(output);
        Dataset<Row> written = spark.read().parquet(output);
        long errors = written.filter("error IS NOT NULL").count();
        System.out.printf("%s: %d images, %d could not be decoded (see the error column)%n", output, written.count(), errors);
        if (trainHead != null) {
            HeadTrainer.Result r = new HeadTrainer(spec, layer).head(head).epochs(epochs).seed(seed)
                    .learningRate(learningRate).train(written);
            r.save(trainHead);
            System.out.printf("%s: classes %s, %d images, training accuracy %.4f%n", trainHead, r.classNames(),
                    r.samples(), r.history().last("accuracy"));
        }
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SparkFeatures()).execute(args));
    }
}
