package dev.convey.cli;

import dev.convey.data.ColorMode;
import dev.convey.data.ImageDatasets;
import dev.convey.keras.KerasArchive;
import dev.convey.keras.KerasModelFile;
import dev.convey.keras.ModelMetadata;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A model saved by {@code convey train}: the network and its {@link ModelMetadata}, and images loaded the way it
 * was trained (Pillow's decoding, {@code tf.image.resize} bilinear to the saved size, the saved
 * {@code preprocess_input}).
 */
final class SavedClassifier {

    final Path file;
    final Model model;
    final ModelMetadata metadata;

    private SavedClassifier(Path file, Model model, ModelMetadata metadata) {
        this.file = file;
        this.model = model;
        this.metadata = metadata;
    }

    /** The model and its metadata, or null metadata if the file has none. */
    static SavedClassifier load(Path file) throws NoSuchFileException {
        ModelSource.requireFile(file);
        boolean keras3 = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".keras");
        return new SavedClassifier(file, keras3 ? KerasArchive.load(file) : KerasModelFile.load(file),
                ModelMetadata.read(file).orElse(null));
    }

    /** The metadata, or an error saying the file was not made by {@code convey train}. */
    ModelMetadata requireMetadata() {
        if (metadata == null) {
            throw new IllegalArgumentException(file + " has no class names (no " + ModelMetadata.ATTRIBUTE
                    + " attribute): train it with 'convey train', or use --model for an ImageNet classifier");
        }
        return metadata;
    }

    /** Images decoded and stacked {@code (n, h, w, c)}, and which files could not be decoded (and why). */
    record Loaded(Tensor images, List<Path> decoded, Map<Path, String> failed) {
    }

    /** Loads {@code files} (0..255, not preprocessed); the undecodable ones are listed in {@code failed}. */
    static Loaded loadImages(List<Path> files, int height, int width) {
        List<Tensor> ok = new ArrayList<>();
        List<Path> decoded = new ArrayList<>();
        Map<Path, String> failed = new LinkedHashMap<>();
        for (Path f : files) {
            try {
                ok.add(ImageDatasets.load(f, ColorMode.RGB, height, width));
                decoded.add(f);
            } catch (UncheckedIOException e) {
                failed.put(f, e.getCause().getMessage());
            }
        }
        Tensor images = Tensor.zeros(ok.size(), height, width, 3);
        for (int i = 0; i < ok.size(); i++) {
            images.data().put(i * ok.get(i).size(), ok.get(i).data(), 0, ok.get(i).size());
        }
        return new Loaded(images, decoded, failed);
    }

    /**
     * Loads {@code files} {@code batchSize} at a time and hands each batch of decoded images to {@code batch};
     * every undecodable file is reported on {@code err} as {@code convey COMMAND: PATH: reason}. Returns how many
     * failed.
     */
    static int forEachBatch(List<Path> files, int batchSize, int height, int width, java.io.PrintWriter err,
                            String command, java.util.function.Consumer<Loaded> batch) {
        int failures = 0;
        for (int start = 0; start < files.size(); start += batchSize) {
            Loaded loaded = loadImages(files.subList(start, Math.min(files.size(), start + batchSize)), height, width);
            for (Map.Entry<Path, String> f : loaded.failed().entrySet()) {
                err.println("convey " + command + ": " + f.getKey() + ": " + f.getValue());
                failures++;
            }
            if (!loaded.decoded().isEmpty()) {
                batch.accept(loaded);
            }
        }
        return failures;
    }

    /** The class probabilities {@code (n, classes)} of 0..255 images. */
    Tensor probabilities(Tensor images, int batchSize) {
        return model.predict(requireMetadata().preprocess(images), batchSize);
    }

    /** The files named, directories walked (sorted; files with an image extension), in argument order. */
    static List<Path> expand(List<Path> arguments) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : arguments) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(ImageDatasets::isImageName).sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
