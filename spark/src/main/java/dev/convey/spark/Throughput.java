package dev.convey.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ResNet50;
import dev.convey.keras.KerasModelFile;
import dev.convey.tensor.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Spark overhead, measured: the same images, model, layer and batch size through single-machine Convey
 * (the loop of {@code convey predict}: decode a batch, preprocess, forward, on all cores) and through
 * {@link ConveySpark#features} in Spark local mode on the same cores, writing Parquet. Runs alternate
 * (single, Spark, Spark, single, single, Spark, ...) after one warm-up of each, so a machine shared with other
 * work slows both alike; every run's images/s is printed, with the Spark job's time inside the engine
 * (decoding and forward passes: single-machine Convey's work) and around it (Spark's own), and the medians'
 * ratio last. docs/SCALING.md has the command.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Images/s of single-machine Convey and of Convey on Spark local mode, back to back.")
public final class Throughput implements Callable<Integer> {

    @Option(names = "--model-file", paramLabel = "KERAS.h5", description = "The model (a Keras file) ...")
    Path modelFile;

    @Option(names = "--random-resnet50", description = "... or Keras' ResNet50 at 224x224 with random weights"
            + " (the speed does not depend on them), written to a temporary Keras file.")
    boolean randomResNet50;

    @Option(names = "--layer", paramLabel = "NAME")
    String layer;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "A folder tree of .jpg files.")
    Path images;

    @Option(names = "--batch-size", defaultValue = "16")
    int batchSize;

    @Option(names = "--rounds", defaultValue = "3", description = "Measured runs of each (default 3).")
    int rounds;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default local[2]).")
    String master;

    @Override
    public Integer call() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(images)) {
            files = walk.filter(f -> f.toString().toLowerCase(Locale.ROOT).endsWith(".jpg")).sorted().toList();
        }
        if (randomResNet50) {
            modelFile = Files.createTempFile("convey-resnet50-", ".h5");
            modelFile.toFile().deleteOnExit();
            KerasModelFile.save(ResNet50.create(new ApplicationOptions().weights(null)), modelFile);
        } else if (modelFile == null) {
            throw new IllegalArgumentException("Give --model-file or --random-resnet50");
        }
        ModelSpec spec = ModelSpec.kerasFile(modelFile.toString()).batchSize(batchSize);
        // A second engine of the same model (not the executors' cached one): loaded here, outside the timing.
        ExecutorModels.Engine single = new ExecutorModels.Engine(spec, layer);
        SparkSession spark = SparkSession.builder().master(master).appName("convey-throughput")
                .config("spark.ui.enabled", "false").getOrCreate();
        Path out = Files.createTempDirectory("convey-throughput-");
        System.out.printf("%d images, batch %d, %d Convey threads, Spark %s %s%n", files.size(), batchSize,
                Parallel.threads(), spark.version(), master);
        List<Double> singleRates = new ArrayList<>();
        List<Double> sparkRates = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            int run = round;
            Runnable sparkJob = () -> ConveySpark.features(spark.read().format("binaryFile")
                    .option("pathGlobFilter", "*.jpg").option("recursiveFileLookup", "true").load(images.toString()),
                    spec, layer).write().parquet(out.resolve("run" + run).toString());
            // Odd rounds run single machine first, even rounds Spark first: a drift of the machine's load within
            // a round then favours neither.
            double singleSeconds = 0;
            if (round % 2 == 1 || round == 0) {
                singleSeconds = seconds(() -> singleMachine(single, spec, files));
            }
            BatchedInference.ENGINE_NANOS.set(0);
            double sparkSeconds = seconds(sparkJob);
            double engineSeconds = BatchedInference.ENGINE_NANOS.get() / 1e9;
            if (round % 2 == 0 && round > 0) {
                singleSeconds = seconds(() -> singleMachine(single, spec, files));
            }
            double s = files.size() / singleSeconds;
            double k = files.size() / sparkSeconds;
            String what = round == 0 ? "warm-up" : "round " + round;
            // Where Spark's time goes: inside the engine (decoding and forward passes, the work single-machine
            // Convey does) and around it (listing, planning, scheduling, reading rows, writing Parquet).
            System.out.printf(Locale.ROOT, "%s: single machine %.2f images/s (%.1f s), Spark %.2f images/s (%.1f s, "
                    + "%.1f s in the engine, %.1f s around it): %.1f %%%n", what, s, singleSeconds, k, sparkSeconds,
                    engineSeconds, sparkSeconds - engineSeconds, 100 * k / s);
            if (round > 0) {
                singleRates.add(s);
                sparkRates.add(k);
            }
        }
        double s = median(singleRates);
        double k = median(sparkRates);
        System.out.printf(Locale.ROOT, "median: single machine %.2f images/s, Spark %.2f images/s: %.1f %%%n", s, k, 100 * k / s);
        spark.stop();
        return 0;
    }

    /**
     * The same work without Spark, per batch: read the files, decode them on all cores, preprocess_input,
     * forward ({@link BatchedInference}'s own steps, so the difference is Spark's alone).
     */
    private static void singleMachine(ExecutorModels.Engine engine, ModelSpec spec, List<Path> files) {
        for (int start = 0; start < files.size(); start += spec.batchSize()) {
            List<Path> chunk = files.subList(start, Math.min(files.size(), start + spec.batchSize()));
            String[] paths = chunk.stream().map(Path::toString).toArray(String[]::new);
            byte[][] contents = new byte[chunk.size()][];
            for (int i = 0; i < contents.length; i++) {
                try {
                    contents[i] = Files.readAllBytes(chunk.get(i));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            ImageBytes.Decoded decoded = ImageBytes.decodeAll(paths, contents, engine.height(), engine.width(),
                    spec);
            BatchedInference.forward(engine, spec, decoded.images());
        }
    }

    private static double seconds(Runnable run) {
        long start = System.nanoTime();
        run.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    public static void main(String[] args) {
        int status = new CommandLine(new Throughput()).execute(args);
        if (status != 0) {
            throw new UncheckedIOException(new IOException("throughput failed with status " + status));
        }
    }
}
