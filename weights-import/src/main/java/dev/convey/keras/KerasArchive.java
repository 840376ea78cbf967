package dev.convey.keras;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import dev.convey.io.StoredZip;
import dev.convey.models.Model;
import dev.convey.training.Trainer;

/**
 * Keras 3's {@code .keras} zip ({@code model.save("m.keras")} / {@code keras.models.load_model("m.keras")}), as
 * keras/src/saving/saving_lib.py writes it: {@code metadata.json} ({@code keras_version}, {@code date_saved}),
 * {@code config.json} ({@link Keras3Config}) and {@code model.weights.h5} ({@link Keras3Weights}), all stored
 * uncompressed.
 *
 * <p>Loading does what {@code load_model} does: rebuild the model from config.json (safe mode always on), load
 * the weights, compile from {@code compile_config}, and restore the optimizer state, so that {@code fit}
 * continues exactly where the saved training stopped. What cannot be restored (a custom metric, an optimizer
 * state of another shape) is skipped and reported in {@link Loaded#notes()}.
 */
public final class KerasArchive {

    /** Keras' own version string is what Keras checks; this is the Keras 3 version whose layout is written. */
    static final String KERAS_VERSION = "3.10.0";
    /** config.json above this is not a model config (a zip bomb or a wrong file). */
    private static final long MAX_CONFIG_BYTES = 64L << 20;
    /** model.weights.h5 above this is refused before extraction. */
    private static final long MAX_WEIGHTS_BYTES = 16L << 30;

    private KerasArchive() {
    }

    /** A loaded model and what could not be restored (empty when everything was). */
    public record Loaded(Model model, List<String> notes) {
    }

    /** {@code keras.models.load_model(file)}. */
    public static Model load(Path file) {
        return loadWithNotes(file).model();
    }

    public static Loaded loadWithNotes(Path file) {
        List<String> notes = new ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String config = text(zip, "config.json", file);
            JsonElement root;
            try {
                root = JsonParser.parseString(config);
            } catch (JsonParseException | IllegalStateException e) {
                throw new IllegalArgumentException(file + ": config.json is not valid JSON: " + e.getMessage());
            }
            Model model = KerasModelConfig.fromJson(root, file + " (config.json)");
            JsonElement compile = root.isJsonObject() ? root.getAsJsonObject().get("compile_config") : null;
            try {
                notes.addAll(KerasCompileConfig.compile(model, compile, file.toString()));
            } catch (IllegalArgumentException e) {
                notes.add("compile_config not restored: " + e.getMessage());
            }
            Path weights = extract(zip, "model.weights.h5", file);
            try (Hdf5File h5 = Hdf5File.open(weights)) {
                Keras3Weights.load(model, h5.root());
                Trainer trainer = compiledTrainer(model);
                if (trainer != null) {
                    String skipped = Keras3Weights.loadOptimizer(trainer.optimizer(), trainer.trainableWeights(), h5.root());
                    if (skipped != null) {
                        notes.add(skipped);
                    }
                }
            } catch (IllegalArgumentException | Hdf5Exception e) {
                throw new IllegalArgumentException(file + " (model.weights.h5): " + e.getMessage(), e);
            } finally {
                Files.deleteIfExists(weights);
            }
            return new Loaded(model, List.copyOf(notes));
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(file + ": not a readable .keras zip (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        } catch (IllegalStateException e) { // e.g. a config whose model has no input shape cannot be compiled
            throw new IllegalArgumentException(file + ": cannot rebuild the model from config.json: " + e.getMessage(), e);
        }
    }

    /** {@code model.save(file)}: temporary file, then rename. */
    public static void save(Model model, Path file) {
        save(model, file, null);
    }

    /** {@link #save(Model, Path)} plus Convey's {@link ModelMetadata} as the zip entry Keras ignores, if not null. */
    public static void save(Model model, Path file, ModelMetadata convey) {
        JsonObject metadata = new JsonObject();
        metadata.addProperty("keras_version", KERAS_VERSION);
        metadata.addProperty("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
        byte[] config = Keras3Config.toJson(model).toString().getBytes(StandardCharsets.UTF_8);
        try {
            Path h5 = Files.createTempFile("convey-", ".weights.h5");
            try {
                Files.delete(h5);
                writeWeights(model, h5, true);
                byte[] weights = Files.readAllBytes(h5);
                StoredZip.write(file, zip -> {
                    zip.entry("metadata.json", metadata.toString().getBytes(StandardCharsets.UTF_8));
                    zip.entry("config.json", config);
                    zip.entry("model.weights.h5", weights);
                    if (convey != null) {
                        zip.entry(ModelMetadata.ZIP_ENTRY, convey.toJson().getBytes(StandardCharsets.UTF_8));
                    }
                });
            } finally {
                Files.deleteIfExists(h5);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file.toAbsolutePath(), e);
        }
    }

    /** Keras 3's {@code model.save_weights("m.weights.h5")}: the weights only, in the .keras layout. */
    public static void saveWeights(Model model, Path file) {
        writeWeights(model, file, false);
    }

    /** Keras 3's {@code model.load_weights("m.weights.h5")} into a model built in code. */
    public static void loadWeights(Model model, Path file) {
        try (Hdf5File h5 = Hdf5File.open(file)) {
            Keras3Weights.load(model, h5.root());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The Keras 3 weights file (also {@code save_weights}'s .weights.h5), with the optimizer state if asked. */
    static void writeWeights(Model model, Path file, boolean withOptimizer) {
        Hdf5File.writeAtomically(file, root -> {
            Keras3Weights.save(model, root);
            Trainer trainer = withOptimizer ? compiledTrainer(model) : null;
            if (trainer != null) {
                Keras3Weights.saveOptimizer(trainer.optimizer(), trainer.trainableWeights(), root);
            }
        });
    }

    static Trainer compiledTrainer(Model model) {
        try {
            return model.trainer();
        } catch (IllegalStateException notCompiled) {
            return null;
        }
    }

    private static ZipEntry entry(ZipFile zip, String name, Path file, long limit) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            List<String> names = zip.stream().map(ZipEntry::getName).limit(20).toList();
            throw new IllegalArgumentException(file + ": no " + name + " in the .keras zip (it holds " + names + ")");
        }
        if (e.getSize() > limit) {
            throw new IllegalArgumentException(file + ": " + name + " declares " + e.getSize() + " bytes, more than the "
                    + limit + " a Keras file can need");
        }
        return e;
    }

    private static String text(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry e = entry(zip, name, file, MAX_CONFIG_BYTES);
        try (InputStream in = zip.getInputStream(e)) {
            byte[] bytes = in.readNBytes((int) MAX_CONFIG_BYTES + 1);
            if (bytes.length > MAX_CONFIG_BYTES) {
                throw new IllegalArgumentException(file + ": " + name + " is larger than " + MAX_CONFIG_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Copies an entry into a temporary file (HDF5 reads files), never more bytes than it declares. */
    private static Path extract(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry e = entry(zip, name, file, MAX_WEIGHTS_BYTES);
        Path out = Files.createTempFile("convey-", "-" + name);
        try (InputStream in = zip.getInputStream(e); OutputStream o = Files.newOutputStream(out)) {
            long limit = e.getSize() >= 0 ? e.getSize() : MAX_WEIGHTS_BYTES;
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > limit) {
                    throw new IllegalArgumentException(file + ": " + name + " holds more bytes than it declares");
                }
                o.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException ex) {
            Files.deleteIfExists(out);
            throw ex;
        }
        return out;
    }
}
