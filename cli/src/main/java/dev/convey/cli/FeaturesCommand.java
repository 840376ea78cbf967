package dev.convey.cli;

import dev.convey.data.ImageDataset;
import dev.convey.data.ImageDatasets;
import dev.convey.io.AtomicFiles;
import dev.convey.io.Npy;
import dev.convey.keras.ModelMetadata;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.models.TransferLearning;

import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convey features}: Keras' "feature extraction": a pretrained base (or a trained model up to a layer) run
 * on every image of a folder, the outputs saved as {@code .npy} (shape {@code (n, ...)}, with
 * {@code F-index.csv} beside it: {@code row,path,label,class}) or {@code .csv} (one row per image:
 * {@code path,label,class,f0,f1,...}). Labels come from the class sub-folders (sorted names), -1 without them.
 */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Embeddings of a folder of images from a pretrained base or a model's layer (.npy or .csv).")
final class FeaturesCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        BaseSource base;

        @ArgGroup(exclusive = false)
        FileSource file;
    }

    /** {@code --base ...} ({@link BaseOptions}) and Keras' {@code pooling}. */
    static final class BaseSource extends BaseOptions {
        @Option(names = "--pooling", defaultValue = "avg", paramLabel = "avg|max|none",
                description = "Keras' pooling of the base's output (default avg: one vector per image).")
        String pooling;
    }

    static final class FileSource {
        @Option(names = "--model-file", required = true, paramLabel = "MODEL.h5", description = "Trained by convey train.")
        Path modelFile;

        @Option(names = "--layer", paramLabel = "NAME", description = "Output of this layer (default: the model's).")
        String layer;
    }

    @Mixin
    ImageFolderOptions images;

    @Option(names = "--output", required = true, paramLabel = "F.npy|F.csv", description = "Where to write them.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".npy") && !name.endsWith(".csv")) {
            throw new IllegalArgumentException("--output must end with .npy or .csv, got " + output);
        }
        Path data = images.data;
        int batchSize = images.batchSize();
        Model model;
        ModelMetadata meta;
        if (source.base != null) {
            BaseSource b = source.base;
            b.check();
            model = b.create(b.pooling.equals("none") ? null : b.pooling);
            meta = b.metadata(List.of());
        } else {
            SavedClassifier saved = SavedClassifier.load(source.file.modelFile);
            meta = saved.requireMetadata();
            model = source.file.layer == null ? saved.model
                    : new Model(saved.model.input(), saved.model.outputOf(source.file.layer), source.file.layer);
        }
        int[] size = meta.imageSize();
        ImageDatasets.Options options = ImageDatasets.options().shuffle(false).imageSize(size[0], size[1]);
        boolean labelled;
        try (Stream<Path> entries = Files.list(data)) {
            labelled = entries.anyMatch(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."));
        }
        ImageDataset dataset = ImageDatasets.fromDirectory(data, labelled ? options : options.noLabels());
        List<Path> files = dataset.filePaths();
        int[] labels = dataset.labels();
        PrintWriter err = spec.commandLine().getErr();
        List<Tensor> parts = new ArrayList<>();
        List<Path> decoded = new ArrayList<>();
        List<Integer> decodedLabels = new ArrayList<>();
        final Model net = model;
        final ModelMetadata m = meta;
        int failures = SavedClassifier.forEachBatch(files, batchSize, size[0], size[1], err, "features", loaded -> {
            parts.add(net.predict(m.preprocess(loaded.images()), batchSize));
            for (Path f : loaded.decoded()) {
                decoded.add(f);
                decodedLabels.add(labels == null ? -1 : labels[files.indexOf(f)]);
            }
        });
        if (decoded.isEmpty()) {
            throw new IllegalArgumentException("none of the " + files.size() + " images in " + data + " could be decoded");
        }
        Tensor features = TransferLearning.concat(parts);
        List<String> classes = dataset.classNames();
        if (name.endsWith(".npy")) {
            Npy.write(output, features);
            Path index = Path.of(output.toString().replaceFirst("(?i)\\.npy$", "") + "-index.csv");
            writeCsv(index, decoded, decodedLabels, classes, null);
        } else {
            writeCsv(output, decoded, decodedLabels, classes, features);
        }
        int width = features.size() / features.dim(0);
        spec.commandLine().getOut().printf(Locale.ROOT, "Wrote %d x %d features to %s%n", features.dim(0), width, output);
        spec.commandLine().getOut().flush();
        err.flush();
        return failures > 0 ? Convey.EXIT_FAILURE : 0;
    }

    private static void writeCsv(Path file, List<Path> paths, List<Integer> labels, List<String> classes,
                                 Tensor features) throws java.io.IOException {
        int width = features == null ? 0 : features.size() / features.dim(0);
        AtomicFiles.write(file, temporary -> {
            try (BufferedWriter w = Files.newBufferedWriter(temporary)) {
                StringBuilder header = new StringBuilder(features == null ? "row,path,label,class" : "path,label,class");
                for (int j = 0; j < width; j++) {
                    header.append(",f").append(j);
                }
                w.write(header.append('\n').toString());
                for (int i = 0; i < paths.size(); i++) {
                    int label = labels.get(i);
                    StringBuilder line = new StringBuilder(features == null ? i + "," : "")
                            .append(ClassifierOutput.csv(paths.get(i).toString())).append(',').append(label).append(',')
                            .append(label < 0 ? "" : ClassifierOutput.csv(classes.get(label)));
                    for (int j = 0; j < width; j++) {
                        line.append(',').append(features.data().get(i * width + j));
                    }
                    w.write(line.append('\n').toString());
                }
            }
        });
    }
}
