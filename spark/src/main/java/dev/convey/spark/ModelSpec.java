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
import dev.convey.data.Interpolation;
import dev.convey.keras.KerasModelFile;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * What an executor needs to rebuild the model: a Keras model file ({@code model.save()}, architecture and
 * weights) on storage every executor sees, or the file's bytes broadcast once from the driver; and how images
 * become its input (Keras' {@code load_img} interpolation and {@code preprocess_input} mode, the batch size).
 * Serialisable and small: it travels with every task, the model itself never does.
 *
 * <pre>
 *   ModelSpec.kerasFile("/mnt/shared/vgg16.h5")                  // NFS, a mounted bucket, SparkFiles.get(...)
 *   ModelSpec.broadcast(spark, Path.of("vgg16.h5")).batchSize(16) // the driver's file, sent once per executor
 * </pre>
 */
public final class ModelSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    /** {@code preprocess_input} modes: Keras' "caffe" (VGG16, ResNet50: BGR, ImageNet means) or "none". */
    public static final List<String> PREPROCESSING = List.of("caffe", "none");

    private final String file;
    private final Broadcast<byte[]> bytes;
    private String preprocessing = "caffe";
    private String interpolation = "nearest";
    private int batchSize = 32;

    private ModelSpec(String file, Broadcast<byte[]> bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** A Keras model file at a path every executor can read (a shared file system, or {@code SparkFiles.get}). */
    public static ModelSpec kerasFile(String path) {
        return new ModelSpec(path, null);
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
                scala.reflect.ClassTag$.MODULE$.apply(byte[].class)));
    }

    /** Keras' {@code preprocess_input} mode (see {@link #PREPROCESSING}); default "caffe". */
    public ModelSpec preprocessing(String mode) {
        String m = mode.toLowerCase(Locale.ROOT);
        if (!PREPROCESSING.contains(m)) {
            throw new IllegalArgumentException("Unknown preprocessing '" + mode + "': expected one of " + PREPROCESSING);
        }
        this.preprocessing = m;
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

    public Interpolation interpolationFilter() {
        return Interpolation.of(interpolation);
    }

    /** The executors' cache key: one model per file (or broadcast) and layer in each JVM. */
    String key(String layer) {
        return (bytes != null ? "broadcast:" + bytes.id() + ":" : "file:") + file + "#" + layer;
    }

    /** Reads the model (on an executor: {@link ExecutorModels} calls this once per JVM). */
    Model load() {
        if (bytes == null) {
            return KerasModelFile.load(Path.of(file));
        }
        Path local = null;
        try {
            // HDF5 reads files, not memory: the broadcast bytes go to a local file for the time of the load.
            local = Files.createTempFile("convey-model-", ".h5");
            Files.write(local, bytes.value());
            return KerasModelFile.load(local);
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
        return preprocessing.equals("caffe") ? ImageNet.preprocessInput(rgb) : rgb;
    }

    @Override
    public String toString() {
        return (bytes != null ? "broadcast " : "") + file + " (" + preprocessing + ", " + interpolation
                + ", batch " + batchSize + ")";
    }
}
