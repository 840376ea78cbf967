package dev.convey.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * {@code --data DIR [--batch-size N]}: a folder of images read as Keras' {@code image_dataset_from_directory}
 * reads it (one sub-folder per class, the sorted folder names are the classes), in batches; the options
 * {@code train}, {@code evaluate} and {@code features} share (a picocli mixin).
 */
final class ImageFolderOptions {

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Images, one sub-folder per class (the sorted folder names are the class names).")
    Path data;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Images per batch (default 32).")
    int batchSize;

    /** The batch size, checked. */
    int batchSize() {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        return batchSize;
    }
}
