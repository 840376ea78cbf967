package dev.convey.keras;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.convey.data.PreprocessInput;
import dev.convey.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a trained classifier needs besides its weights, saved with it so {@code predict}/{@code evaluate} need
 * nothing else: the class names (index i = output unit i), the input preprocessing (Keras'
 * {@code preprocess_input} mode) and the image size and colour mode it was trained on.
 *
 * <p>Stored where Keras does not look: in a legacy {@code .h5} model file the root attribute
 * {@value #ATTRIBUTE} (a JSON string; {@code load_model} reads only {@code model_config}, {@code training_config}
 * and {@code model_weights}); in a {@code .keras} archive the zip entry {@value #ZIP_ENTRY} (Keras' loader
 * opens only {@code config.json}, {@code metadata.json}, {@code model.weights.h5} and {@code assets/}). The
 * writers call {@link #writeTo(Hdf5Group)} or write {@link #toJson()} under that entry.
 *
 * <p>JSON: {@code {"class_names": [...], "preprocessing": "tf", "image_size": [224, 224], "color_mode":
 * "rgb", "base": "mobilenet"}}; read back with every field checked (files come from strangers).
 */
public record ModelMetadata(List<String> classNames, String preprocessing, int[] imageSize, String colorMode,
                            String base) {

    /** The root attribute of a legacy HDF5 model file. */
    public static final String ATTRIBUTE = "convey_metadata";
    /** The entry of a {@code .keras} zip archive. */
    public static final String ZIP_ENTRY = "convey_metadata.json";
    /** Keras' {@code preprocess_input} modes, and {@code none} (the model takes 0..255 pixels). */
    public static final List<String> PREPROCESSING = List.of("caffe", "tf", "torch", "none");

    private static final int MAX_CLASSES = 1_000_000;
    private static final int MAX_JSON = 64 << 20;

    public ModelMetadata {
        classNames = List.copyOf(classNames);
        if (!PREPROCESSING.contains(preprocessing)) {
            throw new IllegalArgumentException("preprocessing must be one of " + PREPROCESSING + ", got "
                    + preprocessing);
        }
        if (imageSize.length != 2 || imageSize[0] <= 0 || imageSize[1] <= 0) {
            throw new IllegalArgumentException("image_size must be [height, width] > 0, got "
                    + java.util.Arrays.toString(imageSize));
        }
        imageSize = imageSize.clone();
        if (!List.of("rgb", "grayscale").contains(colorMode)) {
            throw new IllegalArgumentException("color_mode must be rgb or grayscale, got " + colorMode);
        }
    }

    @Override
    public int[] imageSize() {
        return imageSize.clone();
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        JsonArray names = new JsonArray();
        classNames.forEach(names::add);
        o.add("class_names", names);
        o.addProperty("preprocessing", preprocessing);
        JsonArray size = new JsonArray();
        size.add(imageSize[0]);
        size.add(imageSize[1]);
        o.add("image_size", size);
        o.addProperty("color_mode", colorMode);
        if (base != null) {
            o.addProperty("base", base);
        }
        return new Gson().toJson(o);
    }

    /** Parses {@link #toJson()}'s form; {@code source} names the file in errors. */
    public static ModelMetadata fromJson(String json, String source) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            JsonArray names = array(o, "class_names", source);
            if (names.size() > MAX_CLASSES) {
                throw new IllegalArgumentException(names.size() + " class names (at most " + MAX_CLASSES + ")");
            }
            List<String> classNames = new ArrayList<>();
            for (JsonElement e : names) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw new IllegalArgumentException("class_names holds " + e + ", not a string");
                }
                classNames.add(e.getAsString());
            }
            JsonArray size = array(o, "image_size", source);
            if (size.size() != 2) {
                throw new IllegalArgumentException("image_size has " + size.size() + " entries, expected 2");
            }
            return new ModelMetadata(classNames, string(o, "preprocessing"),
                    new int[] {size.get(0).getAsInt(), size.get(1).getAsInt()}, string(o, "color_mode"),
                    o.has("base") ? string(o, "base") : null);
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException
                 | IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": invalid " + ATTRIBUTE + " (class names, preprocessing, "
                    + "image size saved by convey train): " + e.getMessage(), e);
        }
    }

    private static JsonArray array(JsonObject o, String key, String source) {
        if (!o.has(key) || !o.get(key).isJsonArray()) {
            throw new IllegalArgumentException("missing array '" + key + "'");
        }
        return o.getAsJsonArray(key);
    }

    private static String string(JsonObject o, String key) {
        if (!o.has(key) || !o.get(key).isJsonPrimitive()) {
            throw new IllegalArgumentException("missing string '" + key + "'");
        }
        return o.get(key).getAsString();
    }

    /** Stores the metadata as the root attribute {@value #ATTRIBUTE} of a model file being written. */
    public void writeTo(Hdf5Group root) {
        root.writeString(ATTRIBUTE, toJson());
    }

    /** The metadata of an HDF5 model file's root, if it has some. */
    public static Optional<ModelMetadata> readFrom(Hdf5Group root) {
        if (!root.hasAttribute(ATTRIBUTE)) {
            return Optional.empty();
        }
        return Optional.of(fromJson(root.readString(ATTRIBUTE), root.file().path().toString()));
    }

    /** The metadata saved in a model file ({@code .keras} zip or HDF5, told apart by signature), if any. */
    public static Optional<ModelMetadata> read(Path modelFile) {
        if (KerasFiles.format(modelFile) == KerasFiles.Format.KERAS_ZIP) { // by signature: some .keras files are HDF5
            try (ZipFile zip = new ZipFile(modelFile.toFile())) {
                ZipEntry entry = zip.getEntry(ZIP_ENTRY);
                if (entry == null) {
                    return Optional.empty();
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    byte[] bytes = in.readNBytes(MAX_JSON + 1);
                    if (bytes.length > MAX_JSON) {
                        throw new IllegalArgumentException(modelFile + ": " + ZIP_ENTRY + " is over " + MAX_JSON
                                + " bytes");
                    }
                    return Optional.of(fromJson(new String(bytes, StandardCharsets.UTF_8), modelFile.toString()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + modelFile + " as a .keras zip archive", e);
            }
        }
        try (Hdf5File f = Hdf5File.open(modelFile)) {
            return readFrom(f.root());
        }
    }

    /** Keras' {@code preprocess_input} in this metadata's mode on 0..255 RGB images (channels last). */
    public Tensor preprocess(Tensor rgb) {
        return PreprocessInput.apply(rgb, preprocessing);
    }
}
