package dev.convey.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import dev.convey.applications.ImageNet;
import dev.convey.data.ColorMode;
import dev.convey.data.ImageDatasets;
import dev.convey.data.Images;
import dev.convey.data.Interpolation;
import dev.convey.keras.KerasFiles;
import dev.convey.keras.ModelMetadata;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * What an executor needs to rebuild the model: a Keras model file ({@code model.save()}, architecture and
 * weights, {@code .h5} or {@code .keras}) on storage every executor sees, or the file's bytes broadcast once from
 * the driver; and how images become its input: the decoder ({@code load_img}, Keras' predict examples, nearest
 * by default; or {@code image_dataset_from_directory}'s bilinear {@code tf.image.resize}, what {@code convey
 * train} feeds), the {@code preprocess_input} mode and the batch size. A model saved by {@code convey train}
 * carries its preprocessing ({@link ModelMetadata}); when the driver can read the file, that is the default.
 * Serialisable and small: it travels with every task, the model itself never does.
 *
 * <pre>
 *   ModelSpec.kerasFile("/mnt/shared/vgg16.h5")                  // NFS, a mounted bucket, SparkFiles.get(...)
 *   ModelSpec.broadcast(spark, Path.of("vgg16.h5")).batchSize(16) // the driver's file, sent once per executor
 * </pre>
 */
public final class ModelSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The image decoders: Keras' {@code load_img} (with an interpolation) or {@code image_dataset_from_directory}. */
    public static final List<String> DECODERS = List.of("load_img", "image_dataset");

    private final String file;
    private final Broadcast<byte[]> bytes;
    private String preprocessing = "caffe";
    private String decoder = "load_img";
    private String interpolation = "nearest";
    private int batchSize = 32;

    private ModelSpec(String file, Broadcast<byte[]> bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** A Keras model file at a path every executor can read (a shared file system, or {@code SparkFiles.get}). */
    public static ModelSpec kerasFile(String path) {
        return new ModelSpec(path, null).withMetadataOf(Path.of(path));
    }

    /** A file saved by {@code convey train}: its preprocessing and decoder, if the driver can read it. */
    private ModelSpec withMetadataOf(Path local) {
        if (Files.isRegularFile(local)) {
            ModelMetadata.read(local).ifPresent(m -> {
                preprocessing = m.preprocessing();
                decoder = "image_dataset";
            });
        }
        return this;
    }

    /** The driver's Keras model file, read once and broadcast: each executor fetches the bytes once. */
    public static ModelSpec broadcast(SparkSession spark, Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("Cannot read the model file " + file + ": " + e, e));
        }
        return new ModelSpec(file.toString(), spark.sparkContext().broadcast(content,
                scala.reflect.ClassTag$.MODULE$.apply(byte[].class))).withMetadataOf(file);
    }

    /** Keras' {@code preprocess_input} mode: caffe (default), tf, torch or none ({@link ModelMetadata#PREPROCESSING}). */
    public ModelSpec preprocessing(String mode) {
        String m = mode.toLowerCase(Locale.ROOT);
        if (!ModelMetadata.PREPROCESSING.contains(m)) {
            throw new IllegalArgumentException("Unknown preprocessing '" + mode + "': expected one of "
                    + ModelMetadata.PREPROCESSING);
        }
        this.preprocessing = m;
        return this;
    }

    /** How images are decoded and resized: {@link #DECODERS} (default load_img). */
    public ModelSpec decoder(String name) {
        if (!DECODERS.contains(name)) {
            throw new IllegalArgumentException("Unknown decoder '" + name + "': expected one of " + DECODERS);
        }
        this.decoder = name;
        return this;
    }

    /** Keras' {@code load_img(interpolation=...)}; default "nearest", as Keras. */
    public ModelSpec interpolation(String name) {
        Interpolation.of(name); // fails now, on the driver, for a wrong name
        this.interpolation = name;
        return this;
    }

    /** Images per forward pass inside a partition (default 32). */
    public ModelSpec batchSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("The batch size must be at least 1, got " + n);
        }
        this.batchSize = n;
        return this;
    }

    public int batchSize() {
        return batchSize;
    }

    /** One image file as the model's input before preprocessing: {@code (height, width, 3)} of 0..255. */
    Tensor decode(Path file, int height, int width) {
        return decoder.equals("image_dataset") ? ImageDatasets.load(file, ColorMode.RGB, height, width)
                : Images.load(file, height, width, Interpolation.of(interpolation));
    }

    /** The executors' cache key: one model per file (or broadcast) and layer in each JVM. */
    String key(String layer) {
        return (bytes != null ? "broadcast:" + bytes.id() + ":" : "file:") + file + "#" + layer;
    }

    /** Reads the model (on an executor: {@link ExecutorModels} calls this once per JVM). */
    Model load() {
        if (bytes == null) {
            return KerasFiles.loadModel(Path.of(file));
        }
        Path local = null;
        try {
            // HDF5 reads files, not memory: the broadcast bytes go to a local file for the time of the load.
            local = Files.createTempFile("convey-model-", file.toLowerCase(Locale.ROOT).endsWith(".keras") ? ".keras" : ".h5");
            Files.write(local, bytes.value());
            return KerasFiles.loadModel(local);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("Cannot write the broadcast model " + file
                    + " to a local file: " + e, e));
        } finally {
            if (local != null) {
                local.toFile().delete();
            }
        }
    }

    /** {@code preprocess_input(x)} on a batch of 0..255 RGB images, in place or as a new tensor. */
    Tensor preprocess(Tensor rgb) {
        return ImageNet.preprocessInput(rgb, preprocessing);
    }

    @Override
    public String toString() {
        return (bytes != null ? "broadcast " : "") + file + " (" + preprocessing + ", " + decoder
                + (decoder.equals("load_img") ? " " + interpolation : "") + ", batch " + batchSize + ")";
    }

    String preprocessingMode() {
        return preprocessing;
    }
}
