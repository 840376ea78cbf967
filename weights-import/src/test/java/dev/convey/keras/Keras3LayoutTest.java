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
        assertEquals(datasetShapes(genuine), datasetShapes(ours));
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
            // the config keys are Keras' keys, initializers, regularizers and constraints included
            assertEquals(new TreeSet<>(a.getAsJsonObject("config").keySet()),
                    new TreeSet<>(b.getAsJsonObject("config").keySet()), where);
            for (String k : a.getAsJsonObject("config").keySet()) {
                if (k.endsWith("_initializer")) {
                    assertEquals(a.getAsJsonObject("config").get(k), b.getAsJsonObject("config").get(k), where + " " + k);
                }
            }
            JsonElement dtype = b.getAsJsonObject("config").get("dtype");
            if (!where.equals("InputLayer")) {
                assertEquals("DTypePolicy", dtype.getAsJsonObject().get("class_name").getAsString(), where);
            }
        }
    }

    /**
     * saving_lib's walk: a container's layers in {@code model.layers} order (a Functional's InputLayer included,
     * a Sequential's not), each under its snake_case class name with a per-container counter ({@code _1},
     * {@code _2}, ... whatever the layers' own names), nested models recursively under {@code functional} or
     * {@code sequential}, a {@code vars} group (name attribute = the layer's name) for every layer.
     */
    @Test
    void pathsFollowSavingLibsWalkAndCounters() {
        java.util.function.Supplier<Model> base = () -> {
            dev.convey.models.SymbolicTensor in = dev.convey.models.Input.of(6, 6, 2);
            dev.convey.models.SymbolicTensor h = new dev.convey.layers.Conv2D(2, 3).name("first").apply(in);
            return new Model(in, new dev.convey.layers.Conv2D(2, 1).name("second").apply(h), "base");
        };
        Model a = base.get();
        Model b = base.get();
        b.name("base_two");
        dev.convey.models.Sequential seq = new dev.convey.models.Sequential("stack");
        seq.add(new dev.convey.layers.InputLayer(4, 4, 2));
        seq.add(new dev.convey.layers.BatchNormalization().name("bn_in_stack"));
        dev.convey.models.SymbolicTensor x = dev.convey.models.Input.of(6, 6, 2);
        dev.convey.models.SymbolicTensor s = new dev.convey.layers.Add().apply(a.apply(x), b.apply(false, x));
        s = seq.apply(s);
        s = new dev.convey.layers.Flatten().apply(s);
        Model m = new Model(x, new dev.convey.layers.Dense(2).name("head").apply(s), "outer");
        Path file = dir.resolve("walk.keras");
        KerasArchive.save(m, file);
        List<String> groups = new ArrayList<>();
        withH5(file, root -> walk(root, "", groups, true));
        assertEquals(List.of("layers/input_layer/vars@name=" + m.layers().get(0).name(),
                "layers/functional/layers/input_layer/vars@name=" + a.layers().get(0).name(),
                "layers/functional/layers/conv2d/vars@name=first",
                "layers/functional/layers/conv2d_1/vars@name=second",
                "layers/functional/vars@name=base",
                "layers/functional_1/layers/input_layer/vars@name=" + b.layers().get(0).name(),
                "layers/functional_1/layers/conv2d/vars@name=first",
                "layers/functional_1/layers/conv2d_1/vars@name=second",
                "layers/functional_1/vars@name=base_two",
                "layers/add/vars@name=" + m.layers().get(3).name(),
                "layers/sequential/layers/batch_normalization/vars@name=bn_in_stack",
                "layers/sequential/vars@name=stack",
                "layers/flatten/vars@name=" + m.layers().get(5).name(),
                "layers/dense/vars@name=head",
                "vars@name=outer"), sortedLike(groups, m));
        List<String> data = datasetPaths(file);
        assertTrue(data.contains("layers/sequential/layers/batch_normalization/vars/3"), data.toString());
        assertTrue(data.contains("layers/functional_1/layers/conv2d_1/vars/1"), data.toString());
    }

    /** The group list in saving_lib's walk order (HDF5 lists links alphabetically). */
    private static List<String> sortedLike(List<String> groups, Model m) {
        List<String> order = List.of("layers/input_layer/", "layers/functional/layers/input_layer", "layers/functional/layers/conv2d/",
                "layers/functional/layers/conv2d_1", "layers/functional/vars", "layers/functional_1/layers/input_layer",
                "layers/functional_1/layers/conv2d/", "layers/functional_1/layers/conv2d_1", "layers/functional_1/vars",
                "layers/add", "layers/sequential/layers", "layers/sequential/vars", "layers/flatten", "layers/dense", "vars@");
        List<String> out = new ArrayList<>();
        for (String prefix : order) {
            groups.stream().filter(g -> g.startsWith(prefix)).forEach(out::add);
        }
        assertEquals(groups.size(), out.size(), "unexpected groups: " + groups);
        return out;
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

    /** Every dataset's path with its shape and HDF5 type class (int64 iteration, float32 scalars). */
    private static List<String> datasetShapes(Path file) {
        List<String> out = new ArrayList<>();
        withH5(file, root -> {
            for (String path : new TreeSet<>(datasetPaths(file))) {
                int slash = path.lastIndexOf('/');
                Hdf5Group g = slash < 0 ? root : root.group(path.substring(0, slash));
                String name = path.substring(slash + 1);
                out.add(path + java.util.Arrays.toString(g.datasetShape(name)));
            }
        });
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
