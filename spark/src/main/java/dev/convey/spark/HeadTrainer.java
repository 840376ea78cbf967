package dev.convey.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import dev.convey.data.ImageDatasets;
import dev.convey.keras.KerasModelFile;
import dev.convey.keras.ModelMetadata;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.training.Adam;
import dev.convey.training.History;
import dev.convey.models.TransferLearning;

/**
 * The second half of transfer learning at scale: the base's features were computed on the cluster
 * ({@link ConveySpark#features}); the head trains on them on the driver, in seconds, with the steps of
 * {@code convey train --cache-features} ({@link TransferLearning}); the result is the complete model (base up to
 * the feature layer, head, {@code Dense(classes, softmax)}) with its class names and preprocessing
 * ({@link ModelMetadata}) as a Keras file: the model {@code convey train} makes on one machine.
 *
 * <pre>
 *   HeadTrainer.Result r = new HeadTrainer(spec, "block5_pool").epochs(10).seed(42)
 *           .train(spark.read().parquet("features/"));
 *   r.save(Path.of("ants_bees.h5"));
 * </pre>
 * Labels are inferred as Keras' {@code image_dataset_from_directory(labels="inferred")} does: the name of the
 * image's folder, classes in sorted order. Rows with an {@code error} are left out and counted.
 */
public final class HeadTrainer {

    private final ModelSpec base;
    private final String layer;
    private int epochs = 10;
    private int batchSize = 32;
    private double learningRate = 1e-3;
    private long seed = 42;
    private boolean shuffle = true;
    private String head;

    /** The head goes on {@code base} cut at {@code layer}, the layer the features were read from. */
    public HeadTrainer(ModelSpec base, String layer) {
        this.base = base;
        this.layer = layer;
    }

    public HeadTrainer epochs(int n) {
        this.epochs = n;
        return this;
    }

    public HeadTrainer batchSize(int n) {
        this.batchSize = n;
        return this;
    }

    public HeadTrainer learningRate(double rate) {
        this.learningRate = rate;
        return this;
    }

    /** Fixes the head's initial weights and the order of the batches (Keras' set_random_seed + fit's shuffle). */
    public HeadTrainer seed(long value) {
        this.seed = value;
        return this;
    }

    /**
     * Whether the samples come in the order of {@code image_dataset_from_directory(shuffle=True, seed=seed)}
     * (the default, what {@code convey train --cache-features --seed S} trains on) or in its unshuffled order
     * (classes in order, files sorted in each).
     */
    public HeadTrainer shuffle(boolean on) {
        this.shuffle = on;
        return this;
    }

    /** The head's layers before the softmax Dense, as {@code convey train --head} (default: gap on a map, none on a vector). */
    public HeadTrainer head(String spec) {
        this.head = spec;
        return this;
    }

    /** The trained model (base + head), its metadata (class names, preprocessing, image size) and its training. */
    public record Result(Model model, ModelMetadata metadata, int samples, int skipped, History history) {
        public List<String> classNames() {
            return metadata.classNames();
        }

        /** Writes the complete model with its metadata as a Keras HDF5 file (temporary name, then rename). */
        public void save(Path kerasFile) {
            KerasModelFile.save(model, kerasFile, metadata);
        }
    }

    /**
     * Trains the head on a features DataFrame (columns path, features, error), collected to the driver in the
     * order {@code convey train} would read the same files ({@link #ordered}), with {@code convey train --cache-features}' own steps ({@link TransferLearning}): the head's
     * weights drawn after {@code Layer.setRandomSeed(seed)}, then {@code trainHeadOnFeatures}.
     */
    public Result train(Dataset<Row> features) {
        List<Row> all = ordered(features.select("path", "features", "error").collectAsList());
        List<Row> rows = all.stream().filter(r -> r.isNullAt(2)).toList();
        int skipped = all.size() - rows.size();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("No features to train on: every one of the " + skipped
                    + " rows has an error");
        }
        List<String> classes = new ArrayList<>(new TreeSet<>(rows.stream().map(HeadTrainer::label).toList()));
        if (classes.size() < 2) {
            throw new IllegalArgumentException("Training a classifier needs images of at least two classes (folders),"
                    + " found " + classes);
        }
        Model extractor = ExecutorModels.cut(base.load(), layer);
        int[] featureShape = extractor.output().shape();
        int per = 1;
        for (int d : featureShape) {
            per *= d;
        }
        Tensor x = Tensor.zeros(Shapes.withBatch(rows.size(), featureShape));
        Tensor y = Tensor.zeros(rows.size(), classes.size());
        for (int i = 0; i < rows.size(); i++) {
            List<Float> f = rows.get(i).getList(1);
            if (f.size() != per) {
                throw new IllegalArgumentException(rows.get(i).getString(0) + ": " + f.size() + " features, but "
                        + layer + " of " + base + " gives " + per + ": were they computed with this model and layer?");
            }
            for (int j = 0; j < per; j++) {
                x.data().put(i * per + j, f.get(j));
            }
            y.data().put(i * classes.size() + classes.indexOf(label(rows.get(i))), 1f);
        }
        TransferLearning tl = TransferLearning.on(extractor).classes(classes.size());
        String layers = head != null ? head : featureShape.length == 3 ? "gap" : null;
        if (layers != null && !layers.isEmpty()) {
            tl.head(layers);
        }
        Layer.setRandomSeed(seed);
        Model model = tl.build();
        History history = tl.trainHeadOnFeatures(new Adam(learningRate), new Tensor[] {x, y}, null, batchSize, epochs, seed);
        int[] input = extractor.input().shape();
        ModelMetadata metadata = new ModelMetadata(classes, base.preprocessingMode(), new int[] {input[0], input[1]},
                "rgb", extractor.name());
        return new Result(model, metadata, rows.size(), skipped, history);
    }

    /**
     * The rows in the order {@code image_dataset_from_directory} lists the same files: class after class (sorted),
     * in each the folders sorted by path and the names sorted, then (with {@link #shuffle}) numpy's
     * {@code RandomState(seed).shuffle}; rows with an error keep their place in that order, as the dataset's
     * undecodable files do, and are left out afterwards.
     */
    List<Row> ordered(List<Row> rows) {
        List<Row> sorted = rows.stream().sorted(Comparator.comparing(HeadTrainer::label)
                .thenComparing(r -> folder(r.getString(0))).thenComparing(r -> name(r.getString(0)))).toList();
        return shuffle ? ImageDatasets.shuffled(sorted, seed) : sorted;
    }

    private static String folder(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The class of a row: the name of its image's folder ({@code .../train/bees/1.jpg}: bees), any URI scheme. */
    static String label(Row row) {
        String path = row.getString(0);
        int end = path.lastIndexOf('/');
        int start = end > 0 ? path.lastIndexOf('/', end - 1) : -1;
        if (start < 0) {
            throw new IllegalArgumentException(path + ": no folder to take the class name from (expected"
                    + " .../CLASS/IMAGE, as image_dataset_from_directory)");
        }
        return path.substring(start + 1, end);
    }
}
