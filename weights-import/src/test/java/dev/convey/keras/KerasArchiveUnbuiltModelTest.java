package dev.convey.keras;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.testdata.TestData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Found by the fuzzer: a .keras whose Sequential lost its input shape gave an IllegalStateException without the file. */
class KerasArchiveUnbuiltModelTest {

    @TempDir
    Path dir;

    @Test
    void aSequentialWithoutInputShapeIsAnErrorNamingTheFile() throws IOException {
        Path file = dir.resolve("no_input.keras");
        try (ZipFile genuine = new ZipFile(TestData.file("keras3/fashion_mnist_cnn.keras").toFile());
             OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Enumeration<? extends ZipEntry> entries = genuine.entries(); entries.hasMoreElements(); ) {
                ZipEntry e = entries.nextElement();
                byte[] content = genuine.getInputStream(e).readAllBytes();
                if (e.getName().equals("config.json")) {
                    JsonObject config = JsonParser.parseString(new String(content, StandardCharsets.UTF_8)).getAsJsonObject();
                    JsonArray layers = config.getAsJsonObject("config").getAsJsonArray("layers");
                    layers.remove(0); // the InputLayer
                    config.remove("build_config");
                    content = config.toString().getBytes(StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(content);
                zip.closeEntry();
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasFiles.loadModel(file));
        assertEquals(file + ": cannot rebuild the model from config.json: Layer 'sequential' (Sequential) has not been"
                + " built yet: its input shape is unknown (start it with an InputLayer, or call build(shape) or forward"
                + " once)", e.getMessage());
    }
}
