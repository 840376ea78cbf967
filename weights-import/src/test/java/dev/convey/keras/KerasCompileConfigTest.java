package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.convey.io.StoredZipEntry;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/**
 * compile_config naming classes Convey does not have (a custom metric, a custom loss, a custom optimizer): the
 * model still loads for inference and fine-tuning, and the notes say what was skipped; a custom layer is still
 * refused (Keras' safe_mode).
 */
class KerasCompileConfigTest {

    @TempDir
    Path dir;

    private static JsonObject custom(String cls, String registered) {
        JsonObject o = new JsonObject();
        o.addProperty("module", "my_package.metrics");
        o.addProperty("class_name", cls);
        JsonObject config = new JsonObject();
        config.addProperty("name", cls.toLowerCase());
        o.add("config", config);
        o.addProperty("registered_name", registered);
        return o;
    }

    /** The genuine .keras file with config.json changed by {@code edit}. */
    private Path genuineWith(java.util.function.Consumer<JsonObject> edit) throws IOException {
        Path genuine = TestData.file(KerasArchiveTest.FIXTURE);
        JsonObject config = Keras3LayoutTest.config(genuine);
        edit.accept(config);
        Path out = dir.resolve("edited.keras");
        try (ZipFile in = new ZipFile(genuine.toFile()); OutputStream o = Files.newOutputStream(out);
             ZipOutputStream zip = new ZipOutputStream(o)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] bytes = e.getName().equals("config.json") ? config.toString().getBytes(StandardCharsets.UTF_8)
                        : in.getInputStream(e).readAllBytes();
                StoredZipEntry.write(zip, e.getName(), bytes);
            }
        }
        return out;
    }

    @Test
    void aCustomMetricIsSkippedWithANoteAndTheModelTrainsAndPredicts() throws IOException {
        Path file = genuineWith(c -> {
            JsonArray metrics = new JsonArray();
            metrics.add("accuracy");
            metrics.add(custom("F1Score", "Custom>F1Score"));
            c.getAsJsonObject("compile_config").add("metrics", metrics);
        });
        KerasArchive.Loaded loaded = KerasArchive.loadWithNotes(file);
        assertEquals(1, loaded.notes().size(), loaded.notes().toString());
        String note = loaded.notes().get(0);
        assertTrue(note.contains("F1Score") && note.contains("Custom>F1Score") && note.contains("never run"), note);
        Model m = loaded.model();
        assertEquals(List.of("accuracy"), m.trainer().metrics().stream().map(x -> x.name()).toList());
        assertEquals(17_500, m.trainer().optimizer().iterations(), "the Adam state is restored all the same");
        Tensor x = Tensor.full(0.3f, 2, 28, 28, 1);
        assertArrayEquals(KerasArchive.load(TestData.file(KerasArchiveTest.FIXTURE)).predict(x, 2).toArray(),
                m.predict(x, 2).toArray());
    }

    @Test
    void aCustomLossLeavesTheModelUncompiledForInferenceAndSaysSo() throws IOException {
        Path file = genuineWith(c -> {
            c.getAsJsonObject("compile_config").add("loss", custom("FocalLoss", "my_package>FocalLoss"));
            c.getAsJsonObject("compile_config").add("optimizer", custom("Lion", "my_package>Lion"));
        });
        KerasArchive.Loaded loaded = KerasArchive.loadWithNotes(file);
        String notes = loaded.notes().toString();
        assertTrue(notes.contains("FocalLoss") && notes.contains("my_package>FocalLoss") && notes.contains("not compiled"),
                notes);
        assertTrue(notes.contains("Lion"), notes);
        assertThrows(IllegalStateException.class, () -> loaded.model().trainer());
        assertEquals(10, loaded.model().predict(Tensor.zeros(1, 28, 28, 1), 1).dim(1));
    }

    @Test
    void lossesAsKerasObjectsAndFunctionsAreRead() throws IOException {
        JsonObject function = JsonParser.parseString("{\"module\": \"keras.src.losses.losses\", \"class_name\":"
                + " \"function\", \"config\": \"sparse_categorical_crossentropy\", \"registered_name\":"
                + " \"sparse_categorical_crossentropy\"}").getAsJsonObject();
        Path file = genuineWith(c -> c.getAsJsonObject("compile_config").add("loss", function));
        KerasArchive.Loaded loaded = KerasArchive.loadWithNotes(file);
        assertEquals(List.of(), loaded.notes());
        assertEquals("sparse_categorical_crossentropy", loaded.model().trainer().loss().name());

        JsonObject logits = JsonParser.parseString("{\"module\": \"keras.losses\", \"class_name\":"
                + " \"SparseCategoricalCrossentropy\", \"config\": {\"name\": \"sparse_categorical_crossentropy\","
                + " \"from_logits\": true}, \"registered_name\": null}").getAsJsonObject();
        file = genuineWith(c -> c.getAsJsonObject("compile_config").add("loss", logits));
        loaded = KerasArchive.loadWithNotes(file);
        assertTrue(loaded.notes().toString().contains("from_logits=True"), loaded.notes().toString());
        KerasArchive.Loaded notCompiled = loaded;
        assertThrows(IllegalStateException.class, () -> notCompiled.model().trainer());
    }

    @Test
    void aCustomLayerIsStillRefusedByName() throws IOException {
        Path file = genuineWith(c -> {
            JsonObject dense = c.getAsJsonObject("config").getAsJsonArray("layers").get(7).getAsJsonObject();
            dense.addProperty("registered_name", "my_package>MyDense");
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasArchive.load(file));
        assertTrue(e.getMessage().contains("my_package>MyDense") && e.getMessage().contains("safe_mode"), e.getMessage());
    }

    @Test
    void activationAsAFunctionObjectIsRead() {
        JsonObject conv = JsonParser.parseString("{\"name\": \"c\", \"filters\": 2, \"kernel_size\": 1,"
                + " \"activation\": {\"module\": \"builtins\", \"class_name\": \"function\", \"config\": \"softmax_v2\","
                + " \"registered_name\": \"function\"}}").getAsJsonObject();
        assertEquals("softmax", ((dev.convey.layers.Conv2D) KerasLayerConfig.fromConfig("Conv2D", conv)).getConfig()
                .get("activation"));
    }
}
