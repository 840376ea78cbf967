package dev.convey.keras;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import dev.convey.models.Model;

/**
 * Any Keras model or weights file, by what it is rather than by its name: a zip ({@code PK\3\4}) is a Keras 3
 * {@code .keras} archive; an HDF5 file (signature {@code \x89HDF\r\n\x1a\n}) with a {@code model_config} is a
 * legacy full-model {@code .h5} (some files named {@code .keras} are); an HDF5 file with {@code vars} or
 * {@code layers} groups is Keras 3 {@code .weights.h5}; other HDF5 is legacy weights.
 */
public final class KerasFiles {

    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /** What a file holds. */
    public enum Format { KERAS_ZIP, LEGACY_MODEL_H5, KERAS3_WEIGHTS_H5, LEGACY_WEIGHTS_H5 }

    private KerasFiles() {
    }

    public static Format format(Path file) {
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
        if (n >= 4 && Arrays.equals(Arrays.copyOf(head, 4), ZIP)) {
            return Format.KERAS_ZIP;
        }
        if (n < 8 || !Arrays.equals(head, HDF5)) {
            throw new IllegalArgumentException(file + " is neither a .keras zip nor an HDF5 file (it starts with "
                    + hex(head, n) + "; a zip starts with 50 4b 03 04, HDF5 with 89 48 44 46 0d 0a 1a 0a)");
        }
        try (Hdf5File f = Hdf5File.open(file)) {
            if (f.root().hasAttribute("model_config")) {
                return Format.LEGACY_MODEL_H5;
            }
            return f.root().hasGroup("vars") || f.root().hasGroup("layers") ? Format.KERAS3_WEIGHTS_H5
                    : Format.LEGACY_WEIGHTS_H5;
        }
    }

    /** Loads a whole model: a .keras zip or a legacy full-model .h5. */
    public static Model loadModel(Path file) {
        return switch (format(file)) {
            case KERAS_ZIP -> KerasArchive.load(file);
            case LEGACY_MODEL_H5 -> KerasModelFile.load(file);
            default -> throw new IllegalArgumentException(file + " holds weights only (no architecture): build the"
                    + " model in code and load them with KerasFiles.loadWeights(model, file)");
        };
    }

    /** Loads weights into a model built in code, from any of the formats. */
    public static void loadWeights(Model model, Path file) {
        switch (format(file)) {
            case KERAS_ZIP -> {
                Model saved = KerasArchive.load(file);
                copyWeights(saved, model, file);
            }
            case KERAS3_WEIGHTS_H5 -> KerasArchive.loadWeights(model, file);
            default -> KerasWeights.load(model, file);
        }
    }

    /** Saves by the name's extension: {@code .keras}, {@code .weights.h5} (Keras 3), else legacy {@code .h5}. */
    public static void save(Model model, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".keras")) {
            KerasArchive.save(model, file);
        } else if (name.endsWith(".weights.h5")) {
            KerasArchive.saveWeights(model, file);
        } else {
            KerasModelFile.save(model, file);
        }
    }

    private static void copyWeights(Model from, Model to, Path file) {
        var a = from.weights();
        var b = to.weights();
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(file + " holds " + a.size() + " weights, the model has " + b.size());
        }
        for (int i = 0; i < a.size(); i++) {
            b.get(i).assign(a.get(i).value());
        }
    }

    private static String hex(byte[] b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(String.format("%02x ", b[i]));
        }
        return s.toString().trim();
    }
}
