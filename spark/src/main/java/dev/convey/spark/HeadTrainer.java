package dev.convey.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import dev.convey.keras.KerasModelFile;
import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.Layer;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.training.Adam;
import dev.convey.training.FitOptions;
import dev.convey.training.History;

/**
 * The second half of transfer learning at scale: the base's features were computed on the cluster
 * ({@link ConveySpark#features}); the Dense head trains on them on the driver, in seconds, with Convey's own
 * {@code compile}/{@code fit}; the result is the complete model (base up to the feature layer, then the head)
 * as a Keras file, the model {@code convey train} makes on one machine.
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

    /** The trained model and what it was trained on. */
    public record Result(Model model, List<String> classNames, int samples, int skipped, History history) {
        /** Writes the complete model (base + head) as a Keras HDF5 file (temporary name, then rename). */
        public void save(Path kerasFile) {
            KerasModelFile.save(model, kerasFile);
        }
    }

    /**
     * Keras' transfer-learning head on a feature map of shape {@code featureShape}: Flatten (for a map),
     * then {@code Dense(classes, softmax)} named "predictions". The Dense weights are drawn after
     * {@code Layer.setRandomSeed(seed)}, so a seed fixes them wherever the head is built.
     */
    public static SymbolicTensor head(SymbolicTensor features, int classes, long seed) {
        SymbolicTensor flat = features.shape().length > 1 ? new Flatten().name("flatten").apply(features) : features;
        Layer.setRandomSeed(seed);
        return new Dense(classes).activation("softmax").name("predictions").apply(flat);
    }

    /** Trains the head on a features DataFrame (columns path, features, error): collected to the driver. */
    public Result train(Dataset<Row> features) {
        List<Row> rows = features.filter(functions.col("error").isNull()).select("path", "features")
                .orderBy("path").collectAsList();
        long skipped = features.filter(functions.col("error").isNotNull()).count();
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
        SymbolicTensor in = Input.of("features", featureShape);
        Model headModel = new Model(in, head(in, classes.size(), seed), "head");
        headModel.compile(new Adam(learningRate), "categorical_crossentropy", "accuracy");
        History history = headModel.fit(x, y, FitOptions.builder().batchSize(batchSize).epochs(epochs)
                .shuffle(true).seed(seed).verbose(false).build());

        SymbolicTensor image = Input.of("image", extractor.input().shape());
        Model full = new Model(image, headModel.apply(extractor.apply(image)), "convey_transfer");
        return new Result(full, classes, rows.size(), (int) skipped, history);
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
