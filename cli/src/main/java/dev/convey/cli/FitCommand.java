package dev.convey.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.convey.data.BatchSequence;
import dev.convey.data.ClassMode;
import dev.convey.data.ColorMode;
import dev.convey.data.DirectoryIterator;
import dev.convey.data.ImageDataGenerator;
import dev.convey.io.Npy;
import dev.convey.keras.KerasFiles;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.training.FitOptions;
import dev.convey.training.History;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convey fit}: Keras' {@code load_model} / {@code compile} / {@code fit} / {@code save} on a Keras HDF5
 * model file, with the data as .npy arrays or as a folder of images (one sub-folder per class):
 * <pre>
 *   model = keras.models.load_model("in.h5")
 *   for layer in model.layers[:-n]: layer.trainable = False            # --train-last n
 *   model.compile(optimizer=SGD(learning_rate=lr, momentum=m), loss=..., metrics=["accuracy"])
 *   model.fit(x, y, batch_size=b, epochs=e, shuffle=..., validation_split=v)
 *   model.save("out.h5")
 * </pre>
 * Everything is checked before the first step (the labels against the model's output, the images against its
 * input), and the output file is only written, under a temporary name then renamed, once training succeeded.
 */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a Keras HDF5 model on .npy arrays or an image folder and save it as a Keras HDF5 model.")
final class FitCommand implements Callable<Integer> {

    @Option(names = "--model-file", required = true, paramLabel = "KERAS.h5",
            description = "The model to train, as saved by Keras' model.save() or 'convey pretrain'.")
    Path modelFile;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Data data;

    @Option(names = "--epochs", defaultValue = "1", paramLabel = "N", description = "Epochs (default 1).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Samples per step (default 32).")
    int batchSize;

    @Mixin
    Optimizers optimizer;

    @Option(names = "--loss", defaultValue = "categorical_crossentropy",
            paramLabel = "categorical_crossentropy|sparse_categorical_crossentropy",
            description = "Loss (default categorical_crossentropy: one-hot labels; sparse: class indices).")
    String loss;

    @Option(names = "--no-shuffle", description = "Keep the samples in file order (default: shuffled every epoch).")
    boolean noShuffle;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed of the shuffling (default 0).")
    long seed;

    @ArgGroup(exclusive = true)
    Freezing freezing;

    @Option(names = "--validation-split", defaultValue = "0", paramLabel = "F",
            description = "Fraction held out for validation: the last samples of the arrays, or the first files of "
                    + "each class folder, as Keras (default 0).")
    double validationSplit;

    @Option(names = "--save", required = true, paramLabel = "OUT.h5", description = "Where to save the trained model.")
    Path save;

    @Spec
    CommandSpec spec;

    /** The training data: arrays, or a folder of class folders. */
    static final class Data {
        @ArgGroup(exclusive = false)
        Arrays arrays;

        @ArgGroup(exclusive = false)
        Directory directory;
    }

    /** {@code --x X.npy --y Y.npy}. */
    static final class Arrays {
        @Option(names = "--x", required = true, paramLabel = "X.npy", description = "Inputs (N, H, W, C), preprocessed.")
        Path x;

        @Option(names = "--y", required = true, paramLabel = "Y.npy",
                description = "Labels: one-hot (N, classes), or class indices (N,) with the sparse loss.")
        Path y;
    }

    /** {@code --data DIR --target-size H,W [--rescale F]}. */
    static final class Directory {
        @Option(names = "--data", required = true, paramLabel = "DIR",
                description = "Images in one sub-folder per class (Keras' flow_from_directory); sorted folder names "
                        + "give the class indices.")
        Path dir;

        @Option(names = "--target-size", required = true, split = ",", paramLabel = "H,W",
                description = "Size the images are resized to (the model's input size).")
        int[] targetSize;

        @Option(names = "--rescale", defaultValue = "1", paramLabel = "F",
                description = "Multiply the pixel values 0-255 by F (e.g. 0.00392156862745098 = 1/255; default 1).")
        double rescale;
    }

    /** Which layers train. */
    static final class Freezing {
        @Option(names = "--trainable-from", paramLabel = "LAYER",
                description = "Freeze the layers before LAYER; LAYER and the ones after it train.")
        String trainableFrom;

        @Option(names = "--train-last", paramLabel = "N",
                description = "Train only the last N entries of model.layers (Keras' model.layers[-N:]), freeze the rest.")
        Integer trainLast;
    }

    @Override
    public Integer call() throws Exception {
        ModelSource.requireFile(modelFile);
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        ClassMode classMode = classMode(loss);
        Model model = KerasFiles.loadModel(modelFile);
        int[] outputShape = model.output().shape();
        if (outputShape.length != 1 || outputShape[0] < 2) {
            throw new IllegalArgumentException(modelFile + ": fit trains classifiers; the model's output is "
                    + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, outputShape)) + ", expected (None, classes)");
        }
        applyFreezing(model);
        model.compile(optimizer.create(), loss, "accuracy");
        long trainable = model.trainer().trainableWeights().stream().mapToLong(p -> p.value().size()).sum();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s: %d layers, %d of %d weights trainable%n", model.name(), model.layers().size(),
                trainable, model.countParams());
        out.flush();

        History history = data.arrays != null ? fitArrays(model, outputShape[0]) : fitDirectory(model, outputShape[0], classMode);

        KerasFiles.save(model, save);
        StringBuilder last = new StringBuilder();
        history.history().forEach((key, values) ->
                last.append(String.format(Locale.ROOT, " - %s: %.4f", key, values.get(values.size() - 1))));
        out.println("After " + history.epochs().size() + " epoch(s)" + last);
        out.println("Saved " + save);
        out.flush();
        return 0;
    }

    private History fitArrays(Model model, int classes) throws Exception {
        ModelSource.requireFile(data.arrays.x);
        ModelSource.requireFile(data.arrays.y);
        Tensor x = Npy.read(data.arrays.x);
        Tensor y = Npy.read(data.arrays.y);
        requireInputShape(model, x, data.arrays.x.toString());
        requireLabels(y, x.dim(0), classes);
        return model.fit(x, y, FitOptions.builder().batchSize(batchSize).epochs(epochs).shuffle(!noShuffle).seed(seed)
                .validationSplit(validationSplit).build());
    }

    private History fitDirectory(Model model, int classes, ClassMode classMode) {
        Directory d = data.directory;
        if (d.targetSize.length != 2) {
            throw new IllegalArgumentException("--target-size takes H,W, got " + d.targetSize.length + " numbers");
        }
        int[] input = model.input().shape();
        ColorMode colorMode = switch (input[input.length - 1]) {
            case 1 -> ColorMode.GRAYSCALE;
            case 3 -> ColorMode.RGB;
            default -> throw new IllegalArgumentException(modelFile + ": the model takes "
                    + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, input))
                    + "; images from --data can only feed 1 (grayscale) or 3 (RGB) channels");
        };
        ImageDataGenerator generator = new ImageDataGenerator().rescale(d.rescale);
        if (validationSplit > 0) {
            generator.validationSplit(validationSplit);
        }
        DirectoryIterator train = flow(generator, d, colorMode, classMode, !noShuffle,
                validationSplit > 0 ? ImageDataGenerator.Subset.TRAINING : null);
        if (train.classIndices().size() != classes) {
            throw new IllegalArgumentException(d.dir + " has " + train.classIndices().size() + " class folders "
                    + train.classIndices().keySet() + " but the model's output has " + classes + " classes");
        }
        BatchSequence validation = validationSplit > 0
                ? flow(generator, d, colorMode, classMode, false, ImageDataGenerator.Subset.VALIDATION) : null;
        for (DirectoryIterator.SkippedImage skipped : train.skipped()) {
            spec.commandLine().getErr().println("Skipped " + skipped.file() + ": " + skipped.reason());
        }
        return model.fit(train, epochs, validation);
    }

    private DirectoryIterator flow(ImageDataGenerator generator, Directory d, ColorMode colorMode, ClassMode classMode,
                                   boolean shuffle, ImageDataGenerator.Subset subset) {
        return generator.flowFromDirectory(d.dir, DirectoryIterator.options().targetSize(d.targetSize[0], d.targetSize[1])
                .colorMode(colorMode).batchSize(batchSize).classMode(classMode).shuffle(shuffle).seed(seed).subset(subset));
    }

    /** Keras' {@code for layer in model.layers[:k]: layer.trainable = False}. */
    private void applyFreezing(Model model) {
        if (freezing == null) {
            return;
        }
        if (freezing.trainLast != null) {
            model.trainOnlyLast(freezing.trainLast);
            return;
        }
        List<Layer> layers = model.layers();
        int first = layers.indexOf(model.getLayer(freezing.trainableFrom));
        if (first == 0) {
            model.setTrainable(true);
        } else {
            model.freezeUpTo(layers.get(first - 1).name());
        }
    }

    private static ClassMode classMode(String loss) {
        return switch (loss) {
            case "categorical_crossentropy" -> ClassMode.CATEGORICAL;
            case "sparse_categorical_crossentropy" -> ClassMode.SPARSE;
            default -> throw new IllegalArgumentException("Unknown loss '" + loss
                    + "': expected categorical_crossentropy or sparse_categorical_crossentropy");
        };
    }

    private void requireInputShape(Model model, Tensor x, String file) {
        int[] expected = model.input().shape();
        boolean ok = x.rank() == expected.length + 1;
        for (int a = 0; ok && a < expected.length; a++) {
            ok = expected[a] == Shapes.UNKNOWN || expected[a] == x.dim(a + 1);
        }
        if (!ok || x.dim(0) == 0) {
            throw new IllegalArgumentException("--x " + file + " has shape " + Shapes.toString(x.shape())
                    + " but the model takes " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, expected))
                    + (x.rank() > 0 && x.dim(0) == 0 ? " (and it holds no samples)" : ""));
        }
    }

    /** One-hot rows (N, classes) for categorical_crossentropy; whole numbers 0..classes-1, (N,) or (N, 1), for sparse. */
    private void requireLabels(Tensor y, int samples, int classes) {
        String file = "--y " + data.arrays.y;
        if (y.rank() == 0 || y.dim(0) != samples) {
            throw new IllegalArgumentException(file + " has shape " + Shapes.toString(y.shape()) + " but --x holds "
                    + samples + " samples; expected one label per sample");
        }
        if (classMode(loss) == ClassMode.CATEGORICAL) {
            if (y.rank() != 2 || y.dim(1) != classes) {
                throw new IllegalArgumentException(file + " has shape " + Shapes.toString(y.shape()) + " but the model "
                        + "has " + classes + " outputs: " + loss + " needs one-hot labels (" + samples + ", " + classes
                        + ") (or use --loss sparse_categorical_crossentropy with class indices)");
            }
            return;
        }
        if (y.rank() > 2 || (y.rank() == 2 && y.dim(1) != 1)) {
            throw new IllegalArgumentException(file + " has shape " + Shapes.toString(y.shape()) + "; " + loss
                    + " needs class indices (" + samples + ",) or (" + samples + ", 1)");
        }
        for (int i = 0; i < samples; i++) {
            float label = y.data().get(i);
            if (label != Math.rint(label) || label < 0 || label >= classes) {
                throw new IllegalArgumentException(file + ": label " + label + " of sample " + i + " is not a class index "
                        + "0.." + (classes - 1) + " (the model has " + classes + " outputs)");
            }
        }
    }
}
