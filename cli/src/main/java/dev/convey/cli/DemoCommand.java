package dev.convey.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.convey.demo.PhotoDemo;
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
        description = "Transfer learning on real photos: MobileNet (alpha 0.25) with Keras' ImageNet weights learns "
                + "ants vs bees from 245 photos (frozen base + head, then fine-tuned), versus the same network from "
                + "scratch. --dataset fashion-mnist runs the Fashion-MNIST demo. Offline, shipped data.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--output-dir", defaultValue = "convey-demo", paramLabel = "DIR",
            description = "Where to write the learning-curve PNGs (default ./convey-demo).")
    Path outputDir;

    @Option(names = "--base", paramLabel = "FILE.h5",
            description = "A base saved by 'convey pretrain' instead of the shipped one.")
    Path base;

    @Option(names = "--dataset", defaultValue = "hymenoptera", paramLabel = "hymenoptera|fashion-mnist",
            description = "hymenoptera (default: real photos, MobileNet ImageNet weights) or fashion-mnist.")
    String dataset;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (dataset.equals("hymenoptera")) {
            return photos();
        }
        if (!dataset.equals("fashion-mnist")) {
            throw new IllegalArgumentException("--dataset must be hymenoptera or fashion-mnist, got " + dataset);
        }
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

    private int photos() throws Exception {
        long start = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        Files.createDirectories(outputDir);
        PhotoDemo.Settings settings = PhotoDemo.Settings.DEFAULT;
        PhotoDemo demo = new PhotoDemo(settings, outputDir);
        out.printf(Locale.ROOT, "Ants vs bees (hymenoptera): %d training photos, %d validation photos, %dx%d; "
                        + "MobileNet alpha 0.25, Keras' ImageNet weights; %d epochs frozen + %d fine-tuning (%d from scratch), "
                        + "batch %d, Adam lr %s (fine-tuning %s), augmentation flip/zoom/shear, seed %d%n",
                demo.trainingData().size(), demo.validationData().size(), settings.imageSize(), settings.imageSize(),
                settings.frozenEpochs(), settings.fineTuneEpochs(), settings.scratchEpochs(), settings.batchSize(),
                PretrainCommand.plain(settings.learningRate()), PretrainCommand.plain(settings.fineTuneLearningRate()),
                settings.seed());
        out.flush();
        double probe = demo.linearProbeAccuracy();
        out.printf(Locale.ROOT, "Linear probe (frozen pooled features + L2 logistic regression): val accuracy %.4f%n", probe);
        out.flush();
        List<PhotoDemo.Outcome> outcomes = demo.run();
        out.println();
        String format = "%-24s %-36s %10s %13s %9s %8s%n";
        out.printf(Locale.ROOT, format, "model", "trained", "trainable", "val accuracy", "val loss", "time");
        for (PhotoDemo.Outcome o : outcomes) {
            out.printf(Locale.ROOT, format, o.name(), o.training(), o.trainableParams(),
                    String.format(Locale.ROOT, "%.4f", o.valAccuracy()), String.format(Locale.ROOT, "%.4f", o.valLoss()),
                    String.format(Locale.ROOT, "%.1f s", o.seconds()));
        }
        out.println();
        for (PhotoDemo.Outcome o : outcomes) {
            out.println("Learning curves (" + o.name() + "): " + o.curves());
        }
        out.println("Example predictions (fine-tuned model, validation photos): " + demo.contactSheet());
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
