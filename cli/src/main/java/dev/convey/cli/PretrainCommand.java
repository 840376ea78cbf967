package dev.convey.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.convey.demo.Pretraining;
import dev.convey.keras.KerasModelFile;
import dev.convey.training.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convey pretrain --output FILE}: reproduces the demo's shipped {@code pretrained_base.h5}, the small VGG
 * base trained on Fashion-MNIST classes 0-4 with a fixed seed (see {@link Pretraining}).
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Train the demo's small VGG base on Fashion-MNIST classes 0-4 (fixed seed) and save it as a "
                + "Keras HDF5 model (the shipped pretrained_base.h5).")
final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--output", required = true, paramLabel = "FILE.h5", description = "Where to save the base.")
    Path output;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: the shipped file's recipe).")
    Integer epochs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Pretraining.Settings recipe = Pretraining.Settings.DEFAULT;
        if (epochs != null) {
            recipe = new Pretraining.Settings(recipe.seed(), epochs, recipe.batchSize(), recipe.learningRate(),
                    recipe.heldOut());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "Pretraining on Fashion-MNIST classes 0-4: %d epochs, batch %d, Adam lr %s, seed %d%n",
                recipe.epochs(), recipe.batchSize(), plain(recipe.learningRate()), recipe.seed());
        out.flush();
        long start = System.nanoTime();
        Pretraining.Result result = Pretraining.run(recipe, new ProgressBar(false, System.out));
        KerasModelFile.save(result.base(), output);
        out.printf(Locale.ROOT, "Accuracy on classes 0-4: %.4f on %d held-out images (training: %.4f)%n",
                result.heldOutAccuracy(), recipe.heldOut(), result.trainAccuracy());
        out.printf(Locale.ROOT, "Saved the base (%d weights) to %s in %.1f s%n", result.base().countParams(), output,
                (System.nanoTime() - start) / 1e9);
        out.flush();
        return 0;
    }

    /** A learning rate as people write it: 0.001, not 1.0E-3 or 0.00100000. */
    static String plain(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
