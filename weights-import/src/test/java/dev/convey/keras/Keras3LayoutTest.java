package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.convey.models.Model;
import dev.convey.testdata.TestData;

/** The files Convey writes have the genuine Keras 3 file's structure: zip entries, config.json keys, HDF5 paths. */
class Keras3LayoutTest {

    @TempDir
    Path dir;

    @Test
    void rewrittenGenuineFileHasTheGenuineStructure() throws IOException {
        Path genuine = TestData.file(KerasArchiveTest.FIXTURE);
        Path ours = dir.resolve("again.keras");
        Model m = KerasArchive.load(genuine);
        KerasArchive.save(m, ours);

        assertEquals(entries(genuine), entries(ours));
        // every HDF5 dataset path, in the layout of saving_lib (class-name paths, counters, optimizer/vars)
        assertEquals(new TreeSet<>(datasetPaths(genuine)), new TreeSet<>(datasetPaths(ours)));
        assertEquals(groupNameAttributes(genuine), groupNameAttributes(ours));

        JsonObject g = config(genuine);
        JsonObject o = config(ours);
        assertEquals(g.keySet(), o.keySet());
        assertEquals(keysOf(g.getAsJsonObject("compile_config")), keysOf(o.getAsJsonObject("compile_config")));
        assertEquals(g.getAsJsonObject("compile_config").getAsJsonObject("optimizer").get("class_name"),
                o.getAsJsonObject("compile_config").getAsJsonObject("optimizer").get("class_name"));
        JsonArray gl = g.getAsJsonObject("config").getAsJsonArray("layers");
        JsonArray ol = o.getAsJsonObject("config").getAsJsonArray("layers");
        assertEquals(gl.size(), ol.size());
        for (int i = 0; i < gl.size(); i++) {
            JsonObject a = gl.get(i).getAsJsonObject();
            JsonObject b = ol.get(i).getAsJsonObject();
            String where = a.get("class_name").getAsString();
            assertEquals(a.get("class_name"), b.get("class_name"), where);
            assertEquals(a.get("module"), b.get("module"), where);
            assertTrue(b.has("registered_name"), where);
            assertEquals(a.has("build_config"), b.has("build_config"), where);
            // our config keys are Keras' keys (a subset: initializers, regularizers and constraints are not written)
            Set<String> genuineKeys = a.getAsJsonObject("config").keySet();
            for (String k : b.getAsJsonObject("config").keySet()) {
                assertTrue(genuineKeys.contains(k), where + " writes '" + k + "', which Keras does not");
            }
            JsonElement dtype = b.getAsJsonObject("config").get("dtype");
            if (!where.equals("InputLayer")) {
                assertEquals("DTypePolicy", dtype.getAsJsonObject().get("class_name").getAsString(), where);
            }
        }
    }

    @Test
    void snakeCaseIsKerasNamingToSnakeCase() {
        assertEquals("conv2d", Keras3Weights.snakeCase("Conv2D"));
        assertEquals("max_pooling2d", Keras3Weights.snakeCase("MaxPooling2D"));
        assertEquals("batch_normalization", Keras3Weights.snakeCase("BatchNormalization"));
        assertEquals("global_average_pooling2d", Keras3Weights.snakeCase("GlobalAveragePooling2D"));
        assertEquals("p_re_lu", Keras3Weights.snakeCase("PReLU"));
        assertEquals("input_layer", Keras3Weights.snakeCase("InputLayer"));
        assertEquals("up_sampling2d", Keras3Weights.snakeCase("UpSampling2D"));
    }

    static Set<String> entries(Path zip) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Set<String> names = new TreeSet<>();
            z.stream().map(ZipEntry::getName).forEach(names::add);
            return names;
        }
    }

    static JsonObject config(Path zip) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return JsonParser.parseString(new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(),
                    StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static Set<String> keysOf(JsonObject o) {
        return new TreeSet<>(o.keySet());
    }

    /** model.weights.h5 of a .keras zip, or the .h5 itself, extracted and walked. */
    static List<String> datasetPaths(Path file) {
        List<String> out = new ArrayList<>();
        withH5(file, root -> walk(root, "", out, false));
        return out;
    }

    private static List<String> groupNameAttributes(Path file) {
        List<String> out = new ArrayList<>();
        withH5(file, root -> walk(root, "", out, true));
        return out;
    }

    private static void walk(Hdf5Group g, String prefix, List<String> out, boolean nameAttributes) {
        for (String child : g.children()) {
            String path = prefix + child;
            if (g.hasGroup(child)) {
                Hdf5Group sub = g.group(child);
                if (nameAttributes && sub.hasAttribute("name")) {
                    out.add(path + "@name=" + sub.readString("name"));
                }
                walk(sub, path + "/", out, nameAttributes);
            } else if (!nameAttributes) {
                out.add(path);
            }
        }
    }

    private static void withH5(Path file, java.util.function.Consumer<Hdf5Group> action) {
        try {
            Path h5 = file;
            boolean temp = file.toString().endsWith(".keras");
            if (temp) {
                h5 = Files.createTempFile("layout", ".h5");
                try (ZipFile z = new ZipFile(file.toFile())) {
                    Files.write(h5, z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes());
                }
            }
            try (Hdf5File f = Hdf5File.open(h5)) {
                action.accept(f.root());
            } finally {
                if (temp) {
                    Files.deleteIfExists(h5);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
