package dev.convey.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.Gson;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.VGG16;
import dev.convey.keras.KerasWeights;
import dev.convey.models.Model;

/**
 * How long loading the full VGG16 weight file (528 MB, with the top) takes from a warm page cache, in a JVM of its
 * own (RunAll starts it). The file is written once with synthetic weights by {@link KerasWeights#save} into a
 * temporary folder (deleted afterwards), so the page cache holds it; the first load also warms up the JIT. Prints
 * one JSON line ({@link Result}).
 * <pre>  java -cp benchmarks.jar dev.convey.benchmarks.LoadTimeProbe 5</pre>
 */
public final class LoadTimeProbe {

    /**
     * What the probe prints: file size in bytes; seconds to save; seconds of each {@code model.load_weights(h5)}
     * into the built model; seconds of {@code VGG16(weights=path)}, building and loading.
     */
    record Result(long fileBytes, double saveSeconds, double[] loadSeconds, double createAndLoadSeconds) {
    }

    private LoadTimeProbe() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: LoadTimeProbe RUNS");
        }
        int runs = Integer.parseInt(args[0]);
        Path folder = Files.createTempDirectory("convey-bench-");
        Path file = folder.resolve("vgg16_synthetic_weights.h5");
        try {
            Model model = Models.classifier(Models.VGG16_NAME);
            long start = System.nanoTime();
            KerasWeights.save(model, file);
            double saveSeconds = secondsSince(start);
            double[] loadSeconds = new double[runs];
            for (int i = 0; i < runs; i++) {
                start = System.nanoTime();
                KerasWeights.load(model, file);
                loadSeconds[i] = secondsSince(start);
            }
            model = null; // the second model below may take the first one's memory
            start = System.nanoTime();
            VGG16.create(new ApplicationOptions().weights(file.toString()));
            double createAndLoad = secondsSince(start);
            System.out.println(new Gson().toJson(new Result(Files.size(file), saveSeconds, loadSeconds, createAndLoad)));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(folder);
        }
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
