package dev.convey.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.convey.demo.TransferDemo;
import dev.convey.keras.KerasModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convey demo}: the project's transfer-learning demo on shipped data, offline, in well under two minutes
 * (see {@link TransferDemo}). Prints a table of the three models' test accuracies and writes their learning
 * curves as PNG.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Transfer learning on Fashion-MNIST: learn 5 new classes from 50 images each, from scratch "
                + "versus with a pretrained base (frozen, then fine-tuned). Offline, shipped data.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--output-dir", defaultValue = "convey-demo", paramLabel = "DIR",
            description = "Where to write the learning-curve PNGs (default ./convey-demo).")
    Path outputDir;

    @Option(names = "--base", paramLabel = "FILE.h5",
            description = "A base saved by 'convey pretrain' instead of the shipped one.")
    Path base;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        if (base != null) {
            ModelSource.requireFile(base);
        }
        Files.createDirectories(outputDir);
        TransferDemo.Settings settings = TransferDemo.Settings.DEFAULT;
        TransferDemo demo = new TransferDemo(settings, outputDir);
        out.printf(Locale.ROOT, "Target task: Fashion-MNIST %s%n", String.join(", ", demo.trainingData().classNames()));
        int classes = demo.trainingData().classNames().size();
        out.printf(Locale.ROOT, "Training: %d images (%d per class); test: %d images; %d epochs (+%d fine-tuning), "
                        + "batch %d, Adam lr %s (fine-tuning %s), seed %d%n", demo.trainingData().size(),
                demo.trainingData().size() / classes, demo.testData().size(), settings.epochs(),
                settings.fineTuneEpochs(), settings.batchSize(), PretrainCommand.plain(settings.learningRate()),
                PretrainCommand.plain(settings.fineTuneLearningRate()), settings.seed());
        out.flush();
        List<TransferDemo.Outcome> outcomes =
                demo.run(() -> base != null ? KerasModelFile.load(base) : TransferDemo.shippedBase());
        out.println();
        out.print(table(outcomes));
        out.println();
        for (TransferDemo.Outcome o : outcomes) {
            out.println("Learning curves (" + o.name() + "): " + o.curves());
        }
        out.printf(Locale.ROOT, "(their 'validation' line is the first %d test images, evaluated after every epoch; "
                + "nothing is chosen from it)%n", settings.curveImages());
        out.printf(Locale.ROOT, "Elapsed: %.1f s%n", (System.nanoTime() - start) / 1e9);
        out.flush();
        return 0;
    }

    /** The results side by side, one model per row. */
    static String table(List<TransferDemo.Outcome> outcomes) {
        String format = "%-24s %-44s %10s %14s %9s %8s%n";
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, format, "model", "trained", "trainable", "test accuracy", "test loss",
                "time"));
        for (TransferDemo.Outcome o : outcomes) {
            s.append(String.format(Locale.ROOT, format, o.name(), o.training(), o.trainableParams(),
                    String.format(Locale.ROOT, "%.4f", o.testAccuracy()), String.format(Locale.ROOT, "%.4f", o.testLoss()),
                    String.format(Locale.ROOT, "%.1f s", o.seconds())));
        }
        return s.toString();
    }
}
