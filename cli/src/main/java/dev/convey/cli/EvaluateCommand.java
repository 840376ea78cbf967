package dev.convey.cli;

import dev.convey.data.ImageDataset;
import dev.convey.data.ImageDatasets;
import dev.convey.keras.ModelMetadata;
import dev.convey.tensor.Tensor;
import dev.convey.training.ClassificationReport;
import dev.convey.models.TransferLearning;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convey evaluate --model-file MODEL --data DIR}: a model trained by {@code convey train} on a labelled
 * folder (the saved class names must be sub-folders of DIR): loss, accuracy, top-k accuracy, per-class
 * precision / recall / F1, the confusion matrix (printed and saved as PNG), and the misclassified files.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model trained by 'convey train' on a folder of labelled images.")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model-file", required = true, paramLabel = "MODEL.h5", description = "Saved by convey train.")
    Path modelFile;

    @Mixin
    ImageFolderOptions images;

    @Option(names = "--top-k", defaultValue = "5", paramLabel = "K", description = "k of top-k accuracy (default 5).")
    int topK;

    @Option(names = "--confusion-png", paramLabel = "FILE",
            description = "Where to save the confusion matrix (default MODEL-confusion.png).")
    Path confusionPng;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path data = images.data;
        int batchSize = images.batchSize();
        SavedClassifier classifier = SavedClassifier.load(modelFile);
        ModelMetadata meta = classifier.requireMetadata();
        int[] size = meta.imageSize();
        ImageDataset dataset = ImageDatasets.fromDirectory(data, ImageDatasets.options().shuffle(false)
                .imageSize(size[0], size[1]).classNames(meta.classNames()));
        List<Path> files = dataset.filePaths();
        int[] allLabels = dataset.labels();
        Map<Path, Integer> labelOf = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            labelOf.put(files.get(i), allLabels[i]);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Tensor> probabilities = new ArrayList<>();
        List<Path> decoded = new ArrayList<>();
        int failures = SavedClassifier.forEachBatch(files, batchSize, size[0], size[1], err, "evaluate", loaded -> {
            probabilities.add(classifier.probabilities(loaded.images(), batchSize));
            decoded.addAll(loaded.decoded());
        });
        if (decoded.isEmpty()) {
            throw new IllegalArgumentException("none of the " + files.size() + " images in " + data + " could be decoded");
        }
        int[] labels = decoded.stream().mapToInt(labelOf::get).toArray();
        Tensor p = TransferLearning.concat(probabilities);
        ClassificationReport report = new ClassificationReport(meta.classNames(), p, labels, topK);
        out.print(report.toText());
        Path png = confusionPng != null ? confusionPng
                : Path.of(modelFile.toString().replaceFirst("\\.(h5|keras)$", "") + "-confusion.png");
        report.writeConfusionPng(png);
        out.println("Confusion matrix saved as " + png);
        int[] predicted = report.predicted();
        int wrong = 0;
        StringBuilder misclassified = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            if (predicted[i] != labels[i]) {
                wrong++;
                misclassified.append(String.format(Locale.ROOT, "  %s: %s, predicted %s (%.4f)%n", decoded.get(i),
                        meta.classNames().get(labels[i]), meta.classNames().get(predicted[i]),
                        p.data().get(i * meta.classNames().size() + predicted[i])));
            }
        }
        out.println("Misclassified: " + wrong + " of " + labels.length);
        out.print(misclassified);
        out.flush();
        err.flush();
        return failures > 0 ? Convey.EXIT_FAILURE : 0;
    }
}
