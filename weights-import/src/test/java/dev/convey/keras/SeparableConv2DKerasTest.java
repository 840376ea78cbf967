package dev.convey.keras;

import static dev.convey.keras.KerasWeightsTest.assertSameWeights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.convey.layers.Activation;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Layer;
import dev.convey.layers.SeparableConv2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;

/**
 * SeparableConv2D in Keras files: read from the config Keras 3 writes ({@code BaseSeparableConv.get_config()}, with
 * its initializer/regularizer entries) and Keras 1's {@code SeparableConvolution2D} keys; written with Keras' class
 * name and keys; a model of them survives .keras, .h5 and .weights.h5 bit for bit, weights in Keras' order
 * (depthwise_kernel, pointwise_kernel, bias).
 */
class SeparableConv2DKerasTest {

    @TempDir
    Path dir;

    /** As Keras 3.x writes {@code SeparableConv2D(8, 3, strides=2, depth_multiplier=2, padding="same", activation="relu")}. */
    private static final String KERAS3_CONFIG = "{\"name\": \"block2_sepconv1\", \"trainable\": true, \"dtype\": \"float32\","
            + " \"depth_multiplier\": 2, \"filters\": 8, \"kernel_size\": [3, 3], \"strides\": [2, 2], \"padding\": \"same\","
            + " \"data_format\": \"channels_last\", \"dilation_rate\": [1, 1], \"activation\": \"relu\", \"use_bias\": false,"
            + " \"depthwise_initializer\": {\"module\": \"keras.initializers\", \"class_name\": \"GlorotUniform\","
            + " \"config\": {\"seed\": null}, \"registered_name\": null}, \"pointwise_initializer\": {\"module\":"
            + " \"keras.initializers\", \"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}, \"registered_name\":"
            + " null}, \"bias_initializer\": {\"module\": \"keras.initializers\", \"class_name\": \"Zeros\", \"config\": {},"
            + " \"registered_name\": null}, \"depthwise_regularizer\": null, \"pointwise_regularizer\": null,"
            + " \"bias_regularizer\": null, \"activity_regularizer\": null, \"depthwise_constraint\": null,"
            + " \"pointwise_constraint\": null, \"bias_constraint\": null}";

    @Test
    void kerasConfigsAreReadWithEverySetting() {
        Layer layer = KerasLayerConfig.fromConfig("SeparableConv2D", JsonParser.parseString(KERAS3_CONFIG).getAsJsonObject());
        assertEquals("SeparableConv2D", layer.className());
        assertEquals("block2_sepconv1", layer.name());
        assertArrayEquals(new int[] {4, 4, 8}, layer.build(new int[] {7, 7, 3}));
        assertEquals(List.of(3 * 3 * 3 * 2, 6 * 8), layer.weights().stream().map(p -> (int) p.value().size()).toList());
        SeparableConv2D sep = (SeparableConv2D) layer;
        assertEquals(2, sep.depthMultiplier());
        assertEquals("relu", sep.activation().kerasName());
        // written back: Keras' class name and its keys in Keras' order, the values read
        JsonObject written = KerasLayerConfig.toConfig(layer);
        assertEquals("SeparableConv2D", written.get("class_name").getAsString());
        JsonObject c = written.getAsJsonObject("config");
        assertEquals(List.of("name", "trainable", "dtype", "depth_multiplier", "filters", "kernel_size", "strides",
                "padding", "data_format", "dilation_rate", "activation", "use_bias"), List.copyOf(c.keySet()));
        assertEquals("[2,2]", c.get("strides").toString());
        assertEquals(false, c.get("use_bias").getAsBoolean());

        // Keras 1: SeparableConvolution2D(nb_filter, nb_row, nb_col, border_mode, subsample, bias)
        JsonObject keras1 = JsonParser.parseString("{\"name\": \"sep\", \"nb_filter\": 4, \"nb_row\": 3, \"nb_col\": 1,"
                + " \"border_mode\": \"valid\", \"subsample\": [1, 1], \"depth_multiplier\": 1, \"bias\": true,"
                + " \"activation\": \"linear\", \"dim_ordering\": \"tf\"}").getAsJsonObject();
        Layer old = KerasLayerConfig.fromConfig("SeparableConvolution2D", keras1);
        assertArrayEquals(new int[] {5, 7, 4}, old.build(new int[] {7, 7, 2}));
        assertEquals(List.of("depthwise_kernel", "pointwise_kernel", "bias"), old.weights().stream().map(p -> p.name()).toList());
    }

    /** Xception's unit: relu -> SeparableConv2D (no bias) -> BN, twice, one strided with a bias and multiplier 2. */
    private static Model model(long seed) {
        SymbolicTensor in = Input.of(9, 9, 3);
        SymbolicTensor h = new SeparableConv2D(6, 3).padding("same").useBias(false).name("block2_sepconv1").apply(in);
        h = new BatchNormalization().name("block2_sepconv1_bn").apply(h);
        h = new Activation("relu").name("block2_sepconv2_act").apply(h);
        h = new SeparableConv2D(4, new int[] {3, 2}).strides(2).depthMultiplier(2).activation("tanh").name("sep2").apply(h);
        Model m = new Model(in, h, "separable");
        KerasRoundTripTest.randomize(m, seed);
        return m;
    }

    @Test
    void modelOfSeparableConvolutionsSurvivesEveryFormat() {
        Model original = model(3);
        Tensor x = Tensor.zeros(2, 9, 9, 3);
        Random r = new Random(1);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        Tensor expected = original.predict(x, 2);
        for (String name : List.of("m.keras", "m.h5")) {
            Path file = dir.resolve(name);
            KerasFiles.save(original, file);
            Model loaded = KerasFiles.loadModel(file);
            assertEquals("SeparableConv2D", loaded.getLayer("sep2").className(), name);
            assertSameWeights(original, loaded);
            assertArrayEquals(expected.toArray(), loaded.predict(x, 2).toArray(), name);
        }
        Path weights = dir.resolve("m.weights.h5");
        KerasFiles.save(original, weights);
        Model fresh = model(99);
        KerasFiles.loadWeights(fresh, weights);
        assertSameWeights(original, fresh);
        assertArrayEquals(expected.toArray(), fresh.predict(x, 2).toArray(), "m.weights.h5");
        Path legacy = dir.resolve("legacy_weights.h5");
        KerasWeights.save(original, legacy);
        List<String> names = KerasWeights.list(legacy).stream().filter(l -> l.name().equals("sep2")).findFirst()
                .orElseThrow().weights().stream().map(KerasWeights.SavedWeight::name).toList();
        assertTrue(names.get(0).endsWith("depthwise_kernel:0") && names.get(1).endsWith("pointwise_kernel:0")
                && names.get(2).endsWith("bias:0"), names.toString());
    }
}
