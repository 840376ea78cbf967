package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

class Hdf5FileTest {

    @TempDir
    Path dir;

    @Test
    void readsTheAttributeTypesKerasWrites() {
        try (Hdf5File f = Hdf5File.open(TestData.file("keras-real/cnn_batch_norm.h5"))) {
            Hdf5Group root = f.root();
            assertEquals(List.of("backend", "keras_version", "model_config", "training_config"), root.attributeNames().stream().sorted().toList());
            // Variable-length scalar strings.
            assertEquals("tensorflow", root.readString("backend"));
            assertEquals("2.1.3", root.readString("keras_version"));
            assertTrue(root.readString("model_config").startsWith("{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Conv2D\""));
            // Fixed-length NUL-padded strings (S21).
            Hdf5Group weights = root.group("model_weights");
            assertEquals(List.of("conv2d_1", "batch_normalization_1", "activation_1", "conv2d_2", "flatten_1", "dense_1"),
                    weights.readStrings("layer_names"));
            assertEquals(List.of("batch_normalization_1/gamma:0", "batch_normalization_1/beta:0",
                    "batch_normalization_1/moving_mean:0", "batch_normalization_1/moving_variance:0"),
                    weights.group("batch_normalization_1").readStrings("weight_names"));
            // The empty float64 array of a weightless layer.
            assertEquals(List.of(), weights.group("activation_1").readStrings("weight_names"));
            assertArrayEquals(new double[0], weights.group("activation_1").readDoubles("weight_names"));
            // Children in HDF5's order, nested paths, datasets.
            assertEquals(List.of("activation_1", "batch_normalization_1", "conv2d_1", "conv2d_2", "dense_1", "flatten_1"), weights.children());
            assertTrue(weights.hasDataset("dense_1/dense_1/kernel:0"));
            assertFalse(weights.hasDataset("dense_1/dense_1"));
            assertTrue(weights.hasGroup("dense_1/dense_1"));
            assertFalse(weights.hasGroup("dense_9/dense_9"));
            assertArrayEquals(new int[] {3, 3, 3, 1}, weights.datasetShape("conv2d_1/conv2d_1/kernel:0"));
            Tensor kernel = weights.readDataset("dense_1/dense_1/kernel:0");
            assertArrayEquals(new int[] {36, 1}, kernel.shape());
            assertEquals(0.067472994f, kernel.data().get(0), 1e-9);
        }
    }

    @Test
    void writesAndReadsBackEveryType() {
        Path file = dir.resolve("all.h5");
        Tensor kernel = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Hdf5File.writeAtomically(file, root -> {
            root.writeString("model_config", "{\"x\": \"é\"}");
            root.writeStrings("layer_names", List.of("a", "conv2d_10", ""));
            Hdf5Group layer = root.createGroup("conv2d_10");
            layer.writeStrings("weight_names", List.of());
            layer.writeDataset("conv2d_10/kernel:0", kernel);
            layer.writeDataset("scalar:0", Tensor.of(new float[] {2.5f}));
            root.writeDoubles("numbers", new double[] {0.5, -1e300});
            root.writeString("model_config", "replaced");
        });
        assertEquals(List.of("all.h5"), Arrays.stream(dir.toFile().list()).toList(), "the temporary file was renamed");
        try (Hdf5File f = Hdf5File.open(file)) {
            Hdf5Group root = f.root();
            assertEquals("replaced", root.readString("model_config"));
            assertEquals(List.of("a", "conv2d_10", ""), root.readStrings("layer_names"));
            assertArrayEquals(new double[] {0.5, -1e300}, root.readDoubles("numbers"));
            Hdf5Group layer = root.group("conv2d_10");
            assertEquals(List.of(), layer.readStrings("weight_names"));
            Tensor back = layer.readDataset("conv2d_10/kernel:0");
            assertArrayEquals(kernel.shape(), back.shape());
            assertArrayEquals(kernel.toArray(), back.toArray());
            assertArrayEquals(new int[0], layer.readDataset("scalar:0").shape());
            assertEquals(2.5f, layer.readDataset("scalar:0").data().get(0));
        }
    }

    @Test
    void notHdf5TruncatedOrMissingFilesGiveClearErrors() throws IOException {
        Path text = dir.resolve("notes.h5");
        Files.writeString(text, "this is a text file, renamed\n");
        Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> Hdf5File.open(text));
        assertEquals(text + " is not an HDF5 file (no HDF5 signature found)", e.getMessage());

        byte[] whole = Files.readAllBytes(TestData.file("keras-real/cnn_batch_norm.h5"));
        Path cut = dir.resolve("cut.h5");
        Files.write(cut, Arrays.copyOf(whole, 5000));
        e = assertThrows(Hdf5Exception.class, () -> Hdf5File.open(cut));
        assertEquals(cut + " is truncated: 5000 bytes of the 22584 the file declares (an incomplete download or copy)",
                e.getMessage());

        Path missing = dir.resolve("missing.h5");
        e = assertThrows(Hdf5Exception.class, () -> Hdf5File.open(missing));
        assertEquals("HDF5 file not found: " + missing, e.getMessage());
    }

    /** Every byte of the file's second half overwritten: reads fail with exceptions, the JVM survives. */
    @Test
    void corruptContentGivesJavaExceptions() throws IOException {
        byte[] bytes = Files.readAllBytes(TestData.file("keras-real/cnn_batch_norm.h5"));
        for (int i = 800; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        Path corrupt = dir.resolve("corrupt.h5");
        Files.write(corrupt, bytes);
        Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> {
            try (Hdf5File f = Hdf5File.open(corrupt)) {
                Hdf5Group w = f.root().group("model_weights");
                for (String layer : w.readStrings("layer_names")) {
                    w.group(layer).readStrings("weight_names");
                }
                w.readDataset("dense_1/dense_1/kernel:0");
            }
        });
        assertTrue(e.getMessage().startsWith(corrupt + ": "), e.getMessage());
    }

    @Test
    void missingObjectsAreNamed() {
        try (Hdf5File f = Hdf5File.open(TestData.file("keras-real/weights_dense_tensorflow_2.h5"))) {
            Hdf5Group weights = f.root().group("model_weights");
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> weights.readDataset("dense_1/dense_1/gamma:0"));
            assertTrue(e.getMessage().endsWith("weights_dense_tensorflow_2.h5: no dataset 'dense_1/dense_1/gamma:0' in /model_weights"), e.getMessage());
            e = assertThrows(Hdf5Exception.class, () -> weights.group("conv2d_1"));
            assertTrue(e.getMessage().endsWith(": no group 'conv2d_1' in /model_weights (it has: dense_1)"), e.getMessage());
            e = assertThrows(Hdf5Exception.class, () -> weights.readStrings("weight_names"));
            assertTrue(e.getMessage().endsWith(": no attribute 'weight_names' of /model_weights (attributes here: layer_names, backend, keras_version)"),
                    e.getMessage());
            e = assertThrows(Hdf5Exception.class, () -> f.root().readDoubles("backend"));
            assertTrue(e.getMessage().endsWith("attribute 'backend' of / holds strings, not floats"), e.getMessage());
        }
    }
}
