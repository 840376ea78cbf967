package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.io.Npy;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.Parameter;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

class KerasWeightsTest {

    @TempDir
    Path dir;

    /** "layer: weight(shape), ..." per line, as h5dump shows the files. */
    private static String listing(String fixture) {
        return KerasWeights.list(TestData.file(fixture)).stream()
                .map(l -> l.name() + ": " + l.weights().stream().map(Object::toString).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void listsTheLayersWeightsAndShapesOfRealKerasFiles() {
        assertEquals("""
                conv2d_1: conv2d_1/kernel:0(3, 3, 3, 1), conv2d_1/bias:0(1,)
                batch_normalization_1: batch_normalization_1/gamma:0(1,), batch_normalization_1/beta:0(1,), \
                batch_normalization_1/moving_mean:0(1,), batch_normalization_1/moving_variance:0(1,)
                activation_1:\s
                conv2d_2: conv2d_2/kernel:0(3, 3, 1, 1), conv2d_2/bias:0(1,)
                flatten_1:\s
                dense_1: dense_1/kernel:0(36, 1), dense_1/bias:0(1,)""", listing("keras-real/cnn_batch_norm.h5"));
        assertEquals("convolution2d_1: convolution2d_1_W:0(3, 3, 5, 6), convolution2d_1_b:0(6,)",
                listing("keras-real/weights_conv2d_tensorflow_1.h5"));
        assertEquals("conv2d_1: conv2d_1/kernel:0(3, 3, 5, 6), conv2d_1/bias:0(6,)",
                listing("keras-real/weights_conv2d_tensorflow_2.h5"));
        assertEquals("dense_1: dense_1/kernel:0(4, 6), dense_1/bias:0(6,)", listing("keras-real/weights_dense_tensorflow_2.h5"));
        String simple = """
                conv2d_1: conv2d_1/kernel:0(3, 3, 1, 30), conv2d_1/bias:0(30,)
                max_pooling2d_1:\s
                conv2d_2: conv2d_2/kernel:0(3, 3, 26, 15), conv2d_2/bias:0(15,)
                max_pooling2d_2:\s
                dropout_1:\s
                flatten_1:\s
                dense_1: dense_1/kernel:0(450, 128), dense_1/bias:0(128,)
                dense_2: dense_2/kernel:0(128, 80), dense_2/bias:0(80,)
                dense_3: dense_3/kernel:0(80, 80), dense_3/bias:0(80,)
                dense_4: dense_4/kernel:0(80, 22), dense_4/bias:0(22,)""";
        assertEquals(simple, listing("keras-real/weights_simpleconv2d.hdf5"));
        assertEquals("input_1: \n" + simple, listing("keras-real/weights_simpleconv2d_model.hdf5"));
    }

    /** Keras' VGG16 with every channel count divided by 16, as the tiny fixtures were generated. */
    static Model tinyVgg16() {
        SymbolicTensor input = Input.of("input_1", 64, 64, 3);
        SymbolicTensor x = input;
        int[] filters = {4, 8, 16, 32, 32};
        int[] convs = {2, 2, 3, 3, 3};
        for (int b = 0; b < 5; b++) {
            for (int c = 1; c <= convs[b]; c++) {
                x = new Conv2D(filters[b], 3).padding("same").activation("relu").name("block" + (b + 1) + "_conv" + c).apply(x);
            }
            x = new MaxPooling2D(2).strides(2).name("block" + (b + 1) + "_pool").apply(x);
        }
        x = new Flatten().name("flatten").apply(x);
        x = new Dense(256).activation("relu").name("fc1").apply(x);
        x = new Dense(256).activation("relu").name("fc2").apply(x);
        x = new Dense(1000).activation("softmax").name("predictions").apply(x);
        return new Model(input, x, "vgg16");
    }

    @Test
    void keras1AndKeras2VggFilesLoadTheSameWeightsAndReproduceKeras() throws IOException {
        Model fromKeras2 = tinyVgg16();
        KerasWeights.load(fromKeras2, TestData.file("applications/tiny_vgg16_keras2.h5"));
        Tensor x = Npy.read(TestData.file("applications/tiny_input_preprocessed.npy"));
        Tensor expected = Npy.read(TestData.file("applications/tiny_vgg16_predictions.npy"));
        assertClose(expected, fromKeras2.forward(x), 1e-4);

        Model fromKeras1 = tinyVgg16();
        KerasWeights.load(fromKeras1, TestData.file("applications/tiny_vgg16_keras1.h5"));
        assertSameWeights(fromKeras2, fromKeras1);

        Model fromFullModelGroup = tinyVgg16();
        KerasWeights.load(fromFullModelGroup, TestData.file("applications/tiny_vgg16_fullmodel_group.h5"));
        assertSameWeights(fromKeras2, fromFullModelGroup);
    }

    @Test
    void saveThenLoadByOrderAndByNameGivesTheSameModel() throws IOException {
        Model original = tinyVgg16();
        KerasWeights.load(original, TestData.file("applications/tiny_vgg16_keras2.h5"));
        Path file = dir.resolve("saved.h5");
        KerasWeights.save(original, file);

        // The file has Keras' own layout: every layer named, weightless ones with an empty float64 weight_names.
        try (Hdf5File f = Hdf5File.open(file)) {
            assertEquals(original.layers().stream().map(Layer::name).toList(), f.root().readStrings("layer_names"));
            assertEquals("tensorflow", f.root().readString("backend"));
            assertArrayEquals(new double[0], f.root().group("block1_pool").readDoubles("weight_names"));
            assertEquals(List.of("fc1/kernel:0", "fc1/bias:0"), f.root().group("fc1").readStrings("weight_names"));
            assertArrayEquals(new int[] {128, 256}, f.root().datasetShape("fc1/fc1/kernel:0"));
        }
        // Compare with the Keras-written file dataset by dataset.
        assertEquals(KerasWeights.list(TestData.file("applications/tiny_vgg16_keras2.h5")).toString(),
                KerasWeights.list(file).toString());

        Tensor x = Npy.read(TestData.file("applications/tiny_input_preprocessed.npy"));
        float[] expected = original.forward(x).toArray();
        Model byOrder = tinyVgg16();
        KerasWeights.load(byOrder, file);
        assertArrayEquals(expected, byOrder.forward(x).toArray());

        Model byName = tinyVgg16();
        KerasWeights.Report report = KerasWeights.loadByName(byName, file, false);
        assertEquals(16, report.loaded().size());
        assertEquals(List.of(), report.skipped());
        assertEquals(List.of(), report.notInFile());
        assertArrayEquals(expected, byName.forward(x).toArray());
    }

    @Test
    void byOrderIgnoresNamesByNameUsesThem() {
        Model renamed = smallModel(6, "first", "second");
        Model named = smallModel(6, "dense_a", "dense_b");
        Path file = dir.resolve("small.h5");
        KerasWeights.save(named, file);

        KerasWeights.load(renamed, file); // by order: names do not matter
        assertSameWeights(named, renamed);

        Model partly = smallModel(6, "dense_a", "other");
        float[] otherBefore = partly.getLayer("other").weights().get(0).value().toArray();
        KerasWeights.Report report = KerasWeights.loadByName(partly, file, false);
        assertEquals(List.of("dense_a"), report.loaded());
        assertEquals(List.of("other"), report.notInFile());
        assertArrayEquals(named.getLayer("dense_a").weights().get(0).value().toArray(),
                partly.getLayer("dense_a").weights().get(0).value().toArray());
        assertArrayEquals(otherBefore, partly.getLayer("other").weights().get(0).value().toArray());
    }

    @Test
    void shapeMismatchIsAnErrorUnlessSkipped() {
        Path file = dir.resolve("six.h5");
        KerasWeights.save(smallModel(6, "dense_a", "dense_b"), file);
        Model wider = smallModel(7, "dense_a", "dense_b");
        float[] before = wider.getLayer("dense_a").weights().get(0).value().toArray();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.load(wider, file));
        assertEquals("Layer #0 'dense_a' (Dense) of the model, matched with layer 'dense_a' of " + file
                + ": weight 'dense_a/kernel:0' has shape (4, 7) in the model but (4, 6) in the file (dataset"
                + " /dense_a/dense_a/kernel:0)", e.getMessage());
        assertArrayEquals(before, wider.getLayer("dense_a").weights().get(0).value().toArray(), "a failed load changes nothing");

        e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.loadByName(wider, file, false));
        assertTrue(e.getMessage().contains("has shape (4, 7) in the model but (4, 6) in the file"), e.getMessage());

        KerasWeights.Report report = KerasWeights.loadByName(wider, file, true);
        assertEquals(List.of("dense_a", "dense_b"), report.skipped());
        assertEquals(List.of(), report.loaded());

        SymbolicTensor in = Input.of(4);
        Model deeper = new Model(in, new Dense(2).apply(new Dense(3).apply(new Dense(5).apply(in))), "m");
        e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.load(deeper, file));
        assertTrue(e.getMessage().startsWith("You are trying to load a weight file containing 2 layers with weights into a"
                + " model with 3 layers with weights"), e.getMessage());
    }

    @Test
    void missingDatasetTruncatedAndNonHdf5FilesAreClearErrors() throws IOException {
        Path file = dir.resolve("incomplete.h5");
        Hdf5File.writeAtomically(file, root -> {
            root.writeStrings("layer_names", List.of("dense_a"));
            Hdf5Group g = root.createGroup("dense_a");
            g.writeStrings("weight_names", List.of("dense_a/kernel:0", "dense_a/bias:0"));
            g.writeDataset("dense_a/kernel:0", Tensor.zeros(4, 6));
        });
        SymbolicTensor in = Input.of(4);
        Model one = new Model(in, new Dense(6).name("dense_a").apply(in), "one");
        Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> KerasWeights.load(one, file));
        assertTrue(e.getMessage().endsWith("incomplete.h5: layer 'dense_a' lists weight 'dense_a/bias:0' in weight_names"
                + " but there is no dataset 'dense_a/bias:0' in /dense_a"), e.getMessage());

        byte[] whole = Files.readAllBytes(TestData.file("applications/tiny_vgg16_keras2.h5"));
        Path cut = dir.resolve("cut.h5");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(Hdf5Exception.class, () -> KerasWeights.load(tinyVgg16(), cut));
        assertEquals(cut + " is truncated: " + whole.length / 2 + " bytes of the " + whole.length
                + " the file declares (an incomplete download or copy)", e.getMessage());

        Path text = dir.resolve("weights.h5");
        Files.writeString(text, "{\"not\": \"hdf5\"}");
        e = assertThrows(Hdf5Exception.class, () -> KerasWeights.load(tinyVgg16(), text));
        assertEquals(text + " is not an HDF5 file (no HDF5 signature found)", e.getMessage());
    }

    @Test
    void longNameListsAreSplitAsKerasDoes() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            names.add("a_rather_long_layer_name_" + i);
        }
        Path file = dir.resolve("many.h5");
        Hdf5File.writeAtomically(file, root -> KerasWeights.writeChunkedStrings(root, "layer_names", names));
        try (Hdf5File f = Hdf5File.open(file)) {
            // 3000 names of 29 bytes = 87000 bytes > 64512: two chunks of 1500.
            assertEquals(List.of("layer_names0", "layer_names1"), f.root().attributeNames());
            assertEquals(1500, f.root().readStrings("layer_names1").size());
            assertEquals(names, KerasWeights.readChunkedStrings(f.root(), "layer_names"));
        }
    }

    private static Model smallModel(int units, String first, String second) {
        SymbolicTensor in = Input.of(4);
        SymbolicTensor h = new Dense(units).activation("relu").name(first).apply(in);
        return new Model(in, new Dense(3).name(second).apply(h), "small");
    }

    static void assertSameWeights(Model expected, Model actual) {
        List<Parameter> a = expected.weights();
        List<Parameter> b = actual.weights();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).value().shape(), b.get(i).value().shape(), a.get(i).fullName());
            assertArrayEquals(a.get(i).value().toArray(), b.get(i).value().toArray(), a.get(i).fullName());
        }
    }

    /** max |actual - expected| <= tolerance * RMS(expected), the fixtures' documented agreement. */
    static void assertClose(Tensor expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape());
        double sumSquares = 0;
        double maxError = 0;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.data().get(i);
            sumSquares += e * e;
            maxError = Math.max(maxError, Math.abs(actual.data().get(i) - e));
        }
        double rms = Math.sqrt(sumSquares / expected.size());
        assertTrue(maxError <= tolerance * rms, "max error " + maxError + " > " + tolerance + " * RMS " + rms);
    }
}
