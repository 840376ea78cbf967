package dev.convey.keras;

import static dev.convey.keras.KerasWeightsTest.assertSameWeights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.Applications;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dropout;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Multiply;
import dev.convey.layers.Normalization;
import dev.convey.layers.Rescaling;
import dev.convey.layers.Reshape;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;

/**
 * EfficientNet's and DenseNet's layers through Keras files: the per-channel Rescaling (a list in the config) and
 * Dropout's noise_shape ({@code [null, 1, 1, 1]}) are written and read back as Keras writes them, and whole
 * EfficientNetB0 and DenseNet121 bases give the same numbers after a save and a load in every format.
 */
class ZooRoundTripTest {

    @TempDir
    Path dir;

    private static Model efficientNetStem() {
        SymbolicTensor in = Input.of(9, 9, 3);
        SymbolicTensor x = new Rescaling(1 / 255.0).apply(in);
        x = new Normalization().apply(x);
        x = new Rescaling(new double[] {1 / Math.sqrt(0.229), 1 / Math.sqrt(0.224), 1 / Math.sqrt(0.225)}, 0).apply(x);
        x = new Conv2D(4, 3).activation("swish").apply(x);
        SymbolicTensor se = new GlobalAveragePooling2D().apply(x);
        se = new Reshape(1, 1, 4).apply(se);
        se = new Conv2D(4, 1).activation("sigmoid").apply(se);
        x = new Multiply().apply(x, se);
        x = new Dropout(0.3).noiseShape(-1, 1, 1, 1).name("drop").apply(x);
        Model m = new Model(in, x, "stem");
        KerasRoundTripTest.randomize(m, 3);
        return m;
    }

    private static Tensor pixels(int n, int h, int w, long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(n, h, w, 3);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, r.nextInt(256));
        }
        return t;
    }

    /** {@code model.save(name)} then {@code keras.models.load_model(name)}, in the format the name's suffix says. */
    private Model savedAndLoaded(Model model, String name) {
        Path file = dir.resolve(name);
        KerasFiles.save(model, file);
        return KerasFiles.loadModel(file);
    }

    @Test
    void perChannelRescalingAndNoiseShapeSurviveEveryFormat() {
        Model original = efficientNetStem();
        Tensor x = pixels(2, 9, 9, 1);
        Tensor expected = original.predict(x, 2);
        for (String name : List.of("stem.keras", "stem.h5")) {
            Model loaded = savedAndLoaded(original, name);
            assertSameWeights(original, loaded);
            assertArrayEquals(expected.toArray(), loaded.predict(x, 2).toArray(), name);
            Rescaling channels = (Rescaling) loaded.layers().get(3);
            assertArrayEquals(((Rescaling) original.layers().get(3)).channelScales(), channels.channelScales(), name);
            assertEquals(Arrays.asList(null, 1, 1, 1), loaded.getLayer("drop").getConfig().get("noise_shape"), name);
        }
    }

    @Test
    void noiseShapesThatAreNotListsOfSizesAreRefusedByName() {
        com.google.gson.JsonObject config = com.google.gson.JsonParser.parseString(
                "{\"name\": \"d\", \"rate\": 0.5, \"noise_shape\": [null, 0, 1, 1]}").getAsJsonObject();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KerasMoreLayers.dropout(JsonConfig.of(config, "model.json layer d", "config")));
        assertEquals(true, e.getMessage().contains("noise_shape") && e.getMessage().contains("layer d"), e.getMessage());
        com.google.gson.JsonObject scale = com.google.gson.JsonParser.parseString(
                "{\"name\": \"r\", \"scale\": [1, \"x\"], \"offset\": 0}").getAsJsonObject();
        assertThrows(IllegalArgumentException.class,
                () -> KerasMoreLayers.fromConfig("Rescaling", JsonConfig.of(scale, "layer r", "config")));
    }

    @Test
    void efficientNetB0AndDenseNet121BasesSurviveEveryFormat() {
        for (String app : List.of("efficientnet_b0", "densenet121")) {
            Model original = Applications.get(app).create(new ApplicationOptions().weights(null).includeTop(false)
                    .pooling("avg").inputShape(64, 64, 3));
            dev.convey.applications.SyntheticWeights.fill(original, 5);
            Tensor x = Applications.get(app).preprocessInput(pixels(2, 64, 64, 2));
            Tensor expected = original.predict(x, 2);
            for (String name : List.of(app + ".keras", app + ".h5")) {
                Model loaded = savedAndLoaded(original, name);
                assertEquals(original.layers().size(), loaded.layers().size(), name);
                assertArrayEquals(expected.toArray(), loaded.predict(x, 2).toArray(), name);
            }
        }
    }

    /**
     * Keras' own EfficientNet files (Keras 2 layout) store Normalization's count as an int64 scalar beside the
     * float32 mean and variance (ImageNet's statistics); such a file loads, the count converted to float32.
     */
    @Test
    void aKeras2NormalizationWithAnInt64CountLoads() {
        Path file = dir.resolve("keras2_normalization.h5");
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] variance = {0.229f * 0.229f, 0.224f * 0.224f, 0.225f * 0.225f};
        Hdf5File.writeAtomically(file, root -> {
            root.writeStrings("layer_names", List.of("normalization"));
            Hdf5Group layer = root.createGroup("normalization");
            layer.writeStrings("weight_names", List.of("normalization/mean:0", "normalization/variance:0",
                    "normalization/count:0"));
            Hdf5Group weights = layer.createGroup("normalization");
            weights.writeDataset("mean:0", Tensor.of(mean, 3));
            weights.writeDataset("variance:0", Tensor.of(variance, 3));
            weights.writeLong("count:0", 1_281_167);
        });
        SymbolicTensor in = Input.of(1, 1, 3);
        Model m = new Model(in, new Normalization().apply(in), "m");
        KerasWeights.load(m, file);
        assertEquals(1_281_167f, m.weights().get(2).value().data().get(0));
        Tensor y = m.forward(Tensor.of(new float[] {1, 0, 0.5f}, 1, 1, 1, 3));
        assertEquals((1 - 0.485) / 0.229, y.data().get(0), 1e-5);
        assertEquals(-0.456 / 0.224, y.data().get(1), 1e-5);
        assertEquals((0.5 - 0.406) / 0.225, y.data().get(2), 1e-5);
    }
}
