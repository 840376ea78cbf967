package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.convey.io.Npy;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/**
 * Legacy full-model .h5 files of the newer writers (tf.keras 2.12, Keras 3.0 and 3.5+ legacy), made by
 * weights-import/src/test/python/make_legacy_h5_fixtures.py after the format facts of genuine files: each loads
 * and gives the float64 reference output of its layers (to float32 rounding).
 */
class NewerLegacyH5Test {

    private static final String DIR = "keras-legacy-newer/";

    @TempDir
    Path dir;

    private static Tensor npy(String name) throws IOException {
        return Npy.read(TestData.file(DIR + name));
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data().get(i), actual.data().get(i), 2e-6, what + " element " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tfkeras2_nested", "keras30_sequential", "keras35_nested"})
    void loadsAndGivesTheReferenceOutput(String name) throws IOException {
        Path file = TestData.file(DIR + name + ".h5");
        assertEquals(KerasFiles.Format.LEGACY_MODEL_H5, KerasFiles.format(file));
        Model m = KerasFiles.loadModel(file);
        assertClose(npy(name + "_expected.npy"), m.predict(npy(name + "_input.npy"), 2), name);
    }

    @Test
    void tfKeras2NestedCallKeepsTrainingFalseAndSurvivesEveryFormat() throws IOException {
        Model m = KerasFiles.loadModel(TestData.file(DIR + "tfkeras2_nested.h5"));
        assertEquals(Boolean.FALSE, m.outputOf("base").training(), "the base's call kwargs {training: false}");
        Tensor x = npy("tfkeras2_nested_input.npy");
        Tensor expected = m.predict(x, 3);
        for (String name : new String[] {"again.keras", "again.h5"}) {
            Path file = dir.resolve(name);
            KerasFiles.save(m, file);
            Model loaded = KerasFiles.loadModel(file);
            assertEquals(Boolean.FALSE, loaded.outputOf("base").training(), name);
            KerasWeightsTest.assertSameWeights(m, loaded);
            assertArrayEquals(expected.toArray(), loaded.predict(x, 3).toArray(), name);
        }
        // Keras' forms: the consumers of a nested Functional read its node 1 (node 0 is its own graph)
        JsonObject keras3 = Keras3LayoutTest.config(dir.resolve("again.keras")).getAsJsonObject("config");
        JsonObject conv = layer(keras3, "conv2d_2");
        JsonArray history = conv.getAsJsonArray("inbound_nodes").get(0).getAsJsonObject().getAsJsonArray("args")
                .get(0).getAsJsonObject().getAsJsonObject("config").getAsJsonArray("keras_history");
        assertEquals("[\"base\",1,0]", history.toString());
        JsonObject baseCall = layer(keras3, "base").getAsJsonArray("inbound_nodes").get(0).getAsJsonObject();
        assertEquals("{\"training\":false}", baseCall.getAsJsonObject("kwargs").toString());
        try (Hdf5File f = Hdf5File.open(dir.resolve("again.h5"))) {
            JsonObject legacy = JsonParser.parseString(f.root().readString("model_config")).getAsJsonObject()
                    .getAsJsonObject("config");
            assertEquals("[[[\"input_1\",0,0,{\"training\":false}]]]",
                    layer(legacy, "base").getAsJsonArray("inbound_nodes").toString());
            assertEquals("[[[\"base\",1,0,{}]]]", layer(legacy, "conv2d_2").getAsJsonArray("inbound_nodes").toString());
            assertTrue(f.root().group("model_weights").hasGroup("top_level_model_weights"));
        }
    }

    private static JsonObject layer(JsonObject modelConfig, String name) {
        for (var e : modelConfig.getAsJsonArray("layers")) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no layer " + name + " in " + modelConfig);
    }

    @Test
    void anHdf5FileNamedKerasIsReadByItsSignature() throws IOException {
        Path renamed = dir.resolve("model.keras");
        Files.copy(TestData.file(DIR + "keras35_nested.h5"), renamed);
        assertEquals(KerasFiles.Format.LEGACY_MODEL_H5, KerasFiles.format(renamed));
        assertClose(npy("keras35_nested_expected.npy"), KerasFiles.loadModel(renamed)
                .predict(npy("keras35_nested_input.npy"), 2), "renamed");
    }

    @Test
    void aReferenceToNodeOneOfAPlainLayerIsRefused() {
        String json = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"name\": \"in\", \"config\": {\"name\": \"in\","
                + " \"batch_input_shape\": [null, 4]}, \"inbound_nodes\": []},"
                + "{\"class_name\": \"Dense\", \"name\": \"d\", \"config\": {\"name\": \"d\", \"units\": 2},"
                + " \"inbound_nodes\": [[[\"in\", 1, 0, {}]]]}],"
                + " \"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"d\", 0, 0]]}}";
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> KerasModelFile.fromJson(json));
        assertTrue(e.getMessage().contains("node 1 of layer 'in'"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }
}
