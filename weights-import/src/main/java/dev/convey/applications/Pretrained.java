package dev.convey.applications;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;

import dev.convey.keras.KerasWeights;
import dev.convey.models.Model;

/**
 * Where Keras publishes an application's ImageNet weights (with and without the top) and the MD5 hashes it
 * checks them against ({@code file_hash} in Keras' source), and how an application's {@code weights} argument is
 * honoured once the model is built.
 */
record Pretrained(String baseUrl, String topFile, String topMd5, String noTopFile, String noTopMd5) {

    /**
     * Keras' last step of every application: {@code "imagenet"} loads the cached (or downloaded) file, a path loads
     * that file, null keeps the random initialisation. Loading is by order, as {@code model.load_weights(h5)} does,
     * which also reads Keras 1 files whose weight names differ.
     */
    void load(Model model, ApplicationOptions options) {
        if (options.weights() == null) {
            return;
        }
        Path file = options.imagenetWeights() ? imagenetFile(options.cache(), options.includeTop())
                : Paths.get(options.weights());
        KerasWeights.load(model, file);
    }

    /** The pretrained file from the cache, downloaded first if needed. */
    Path imagenetFile(WeightsCache cache, boolean includeTop) {
        String file = includeTop ? topFile : noTopFile;
        try {
            return cache.get(file, baseUrl + file, includeTop ? topMd5 : noTopMd5);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
