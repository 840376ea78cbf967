package dev.convey.keras;

import static dev.convey.keras.KerasWeightsTest.assertClose;
import static dev.convey.keras.KerasWeightsTest.assertSameWeights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.io.Npy;
import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.Flatten;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.GlobalMaxPooling2D;
import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.Sequential;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

class KerasModelFileTest {

    @TempDir
    Path dir;

    @Test
    void cnnBatchNormReproducesKerasPredictions() throws IOException {
        Model model = KerasModelFile.load(TestData.file("keras-real/cnn_batch_norm.h5"));
        assertEquals(List.of("conv2d_1", "batch_normalization_1", "activation_1", "conv2d_2", "flatten_1", "dense_1"),
                model.layers().stream().map(Layer::name).toList());
        assertEquals(1e-3f, ((BatchNormalization) model.getLayer("batch_normalization_1")).epsilon());
        Tensor x = Npy.read(TestData.file("keras-real/cnn_batch_norm_input.npy")); // float64 in the file
        Tensor expected = Npy.read(TestData.file("keras-real/cnn_batch_norm_predictions.npy"));
        Tensor y = model.forward(x);
        assertArrayEquals(new int[] {5, 1}, y.shape());
        for (int i = 0; i < 5; i++) {
            assertEquals(expected.data().get(i), y.data().get(i), 1e-5, "sample " + i);
        }
    }

    @Test
    void keras1AndKeras2SequentialFilesRebuildTheirLayers() {
        for (String fixture : List.of("keras-real/weights_conv2d_tensorflow_1.h5", "keras-real/weights_conv2d_tensorflow_2.h5")) {
            Model m = KerasModelFile.load(TestData.file(fixture));
            Conv2D conv = (Conv2D) m.layers().get(0);
            assertEquals(6, conv.filters(), fixture);
            assertArrayEquals(new int[] {3, 3}, conv.kernelSize(), fixture);
            assertArrayEquals(new int[] {5, 5, 5}, m.input().shape(), fixture);
            try (Hdf5File f = Hdf5File.open(TestData.file(fixture))) {
                Hdf5Group g = f.root().group("model_weights").group(conv.name());
                String kernelName = g.readStrings("weight_names").get(0);
                assertArrayEquals(g.readDataset(kernelName).toArray(), conv.kernel().value().toArray(), fixture);
            }
        }
        Model dense = KerasModelFile.load(TestData.file("keras-real/weights_dense_tensorflow_2.h5"));
        assertEquals(6, ((Dense) dense.layers().get(0)).units());
        assertArrayEquals(new int[] {3, 6}, dense.forward(Tensor.zeros(3, 4)).shape());
    }

    @Test
    void channelsFirstAndUnknownLayersAreNamedInTheError() {
        Path file = TestData.file("keras-real/weights_simpleconv2d_model.hdf5");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModelFile.load(file));
        assertEquals(file + ": cannot rebuild the model from model_config: Conv2D 'conv2d_1': data_format 'channels_first'"
                + " is not supported; Convey layers are channels_last (NHWC)", e.getMessage());

        String lstm = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": \"LSTM\","
                + " \"config\": {\"name\": \"lstm_1\", \"batch_input_shape\": [null, 10, 3], \"units\": 4}}]}}";
        e = assertThrows(IllegalArgumentException.class, () -> KerasModelFile.fromJson(lstm));
        assertTrue(e.getMessage().contains("Unsupported Keras layer class 'LSTM' (LSTM 'lstm_1')"), e.getMessage());

        Path weightsOnly = TestData.file("applications/tiny_vgg16_keras2.h5");
        Hdf5Exception h = assertThrows(Hdf5Exception.class, () -> KerasModelFile.load(weightsOnly));
        assertTrue(h.getMessage().contains("has no 'model_config' attribute"), h.getMessage());
    }

    /** Keras 3's functional form: inbound nodes as {"args": [keras tensors], "kwargs": {}}, batch_shape. */
    @Test
    void readsKeras3FunctionalConfig() {
        String json = """
                {"module": "keras", "class_name": "Functional", "config": {"name": "k3", "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "name": "in",
                   "config": {"batch_shape": [null, 4, 4, 2], "dtype": "float32", "name": "in"}, "inbound_nodes": []},
                  {"module": "keras.layers", "class_name": "Conv2D", "name": "c",
                   "config": {"name": "c", "filters": 2, "kernel_size": [1, 1], "strides": [1, 1], "padding": "valid",
                              "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": true},
                   "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4, 4, 2],
                                      "dtype": "float32", "keras_history": ["in", 0, 0]}}], "kwargs": {}}]},
                  {"module": "keras.layers", "class_name": "Add", "name": "sum", "config": {"name": "sum"},
                   "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"keras_history": ["c", 0, 0]}},
                                               {"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}]],
                                      "kwargs": {}}]}],
                  "input_layers": ["in", 0, 0], "output_layers": ["sum", 0, 0]}}""";
        Model m = KerasModelFile.fromJson(json);
        assertEquals("k3", m.name());
        assertEquals(List.of("in", "c", "sum"), m.layers().stream().map(Layer::name).toList());
        assertArrayEquals(new int[] {4, 4, 2}, m.output().shape());
    }

    @Test
    void functionalModelWithEveryLayerKindRoundTrips() {
        Model original = everyLayerKind();
        Tensor x = randomBatch(2, 12, 12, 3);
        float[] expected = original.forward(x).toArray();
        Path file = dir.resolve("model.h5");
        KerasModelFile.save(original, file);

        Model loaded = KerasModelFile.load(file);
        assertEquals(original.layers().stream().map(l -> l.name() + ":" + l.className()).toList(),
                loaded.layers().stream().map(l -> l.name() + ":" + l.className()).toList());
        assertSameWeights(original, loaded);
        assertArrayEquals(expected, loaded.forward(x).toArray());
        // Saved again, the architecture is the same JSON.
        assertEquals(KerasModelFile.toJson(original), KerasModelFile.toJson(loaded));
    }

    @Test
    void sequentialRoundTripsInTheLaterKeras2Form() {
        Sequential original = new Sequential("seq");
        original.add(new InputLayer(6, 6, 2));
        original.add(new Conv2D(3, 3).padding("same").activation("relu"));
        original.add(new BatchNormalization());
        original.add(new Flatten());
        original.add(new Dense(4).activation("softmax"));
        Tensor x = randomBatch(3, 6, 6, 2);
        Path file = dir.resolve("seq.h5");
        KerasModelFile.save(original, file);
        String json = KerasModelFile.toJson(original);
        assertTrue(json.startsWith("{\"class_name\":\"Sequential\",\"config\":{\"name\":\"seq\",\"trainable\":true,\"layers\":[{\"class_name\""
                + ":\"InputLayer\",\"config\":{\"name\":"), json);

        Model loaded = KerasModelFile.load(file);
        assertTrue(loaded instanceof Sequential);
        assertEquals("seq", loaded.name());
        assertArrayEquals(original.forward(x).toArray(), loaded.forward(x).toArray());
    }

    /** Conv/BN/ReLU, zero padding, both poolings, a residual Add, a Concatenate, a nested Sequential, a head. */
    private static Model everyLayerKind() {
        SymbolicTensor in = Input.of(12, 12, 3);
        SymbolicTensor x = new ZeroPadding2D(new int[][] {{1, 0}, {0, 1}}).apply(in);
        x = new Conv2D(4, 3).strides(2).useBias(false).apply(x);
        x = new BatchNormalization().epsilon(1.001e-5).apply(x);
        x = new Activation("relu").apply(x);
        SymbolicTensor branch = new Conv2D(4, 1).padding("same").apply(x);
        x = new Add().apply(x, branch);
        SymbolicTensor pooled = new MaxPooling2D(2).apply(x);
        SymbolicTensor averaged = new AveragePooling2D(3).strides(2).padding("same").apply(x);
        x = new Concatenate().apply(pooled, averaged);
        Sequential block = new Sequential("block", new InputLayer(3, 3, 8), new Conv2D(5, 2).dilationRate(1),
                new Dropout(0.25));
        x = block.apply(x);
        SymbolicTensor gap = new GlobalAveragePooling2D().apply(x);
        SymbolicTensor gmp = new GlobalMaxPooling2D().apply(x);
        x = new Concatenate(-1).apply(gap, gmp);
        x = new Dense(3).activation("softmax").apply(x);
        Model m = new Model(in, x, "every_kind");
        // Non-trivial moving statistics, so that inference-mode BatchNormalization is really tested.
        BatchNormalization bn = (BatchNormalization) m.layers().stream().filter(l -> l instanceof BatchNormalization).findFirst().get();
        bn.movingMean().assign(Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0f}, 4));
        bn.movingVariance().assign(Tensor.of(new float[] {0.5f, 2f, 1f, 0.25f}, 4));
        return m;
    }

    private static Tensor randomBatch(int... shape) {
        Tensor t = Tensor.zeros(shape);
        Random r = new Random(42);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }
}
