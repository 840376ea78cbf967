package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.convey.io.Npy;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict / evaluate / features on a model trained by {@code convey train} (tiny VGG16 base, cached features). */
class ClassifierCommandsTest {

    @TempDir
    static Path tmp;

    static Path data;
    static Path model;

    static String tinyVgg16NoTop() {
        return TestData.file("applications/tiny_vgg16_notop_keras2.h5").toString();
    }

    @BeforeAll
    static void train() throws Exception {
        data = ImageFolders.darkAndLight(tmp.resolve("data"), 8, 2);
        model = tmp.resolve("m.h5");
        ConveyTest.Result r = ConveyTest.run("train", "--base", "vgg16", "--weights", tinyVgg16NoTop(),
                "--width-divisor", "16", "--data", data.toString(), "--validation-data", data.toString(),
                "--image-size", "32,32", "--head", "gap", "--epochs", "30", "--batch-size", "8", "--lr", "0.01",
                "--cache-features", "--output", model.toString());
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("Cached the base's features of 16 images"), r.out());
    }

    @Test
    void predictPrintsSavedClassNamesAndReportsUndecodableFiles() throws Exception {
        Path bogus = tmp.resolve("bogus.jpg");
        Files.writeString(bogus, "not a jpeg");
        ConveyTest.Result r = ConveyTest.run("predict", "--model-file", model.toString(), "--top", "1",
                data.resolve("dark").toString(), bogus.toString(), data.resolve("light/light3.png").toString());
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().contains(bogus.toString()), r.err());
        assertTrue(r.err().contains("1 of 10 images could not be decoded"), r.err());
        List<String> lines = r.outLines();
        assertEquals(9, lines.size(), r.out());
        long dark = lines.stream().filter(l -> l.contains("/dark/") && l.matches(".*: dark 0\\.\\d{6}")).count();
        assertTrue(dark >= 7, r.out());
        assertTrue(lines.get(8).matches(".*light3.png: light 0\\.\\d{6}"), lines.get(8));

        ConveyTest.Result csv = ConveyTest.run("predict", "--model-file", model.toString(), "--format", "csv",
                data.resolve("light").toString());
        assertEquals(0, csv.exitCode(), csv.err());
        assertEquals("path,prediction,probability,dark,light", csv.outLines().get(0));
        assertEquals(9, csv.outLines().size());
        String[] f = csv.outLines().get(1).split(",");
        assertEquals(1.0, Double.parseDouble(f[3]) + Double.parseDouble(f[4]), 1e-5);

        ConveyTest.Result json = ConveyTest.run("predict", "--model-file", model.toString(), "--format", "json",
                data.resolve("light/light0.png").toString());
        JsonArray a = JsonParser.parseString(json.out()).getAsJsonArray();
        assertEquals(2, a.get(0).getAsJsonObject().getAsJsonArray("predictions").size());
    }

    @Test
    void kerasArchiveOutputKeepsTheClassNames() throws Exception {
        Path keras = tmp.resolve("m.keras");
        ConveyTest.Result r = ConveyTest.run("train", "--base", "vgg16", "--weights", tinyVgg16NoTop(),
                "--width-divisor", "16", "--data", data.toString(), "--image-size", "32,32", "--head", "gap",
                "--epochs", "2", "--batch-size", "8", "--cache-features", "--output", keras.toString());
        assertEquals(0, r.exitCode(), r.err() + r.out());
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(keras.toFile())) {
            assertTrue(zip.getEntry("config.json") != null && zip.getEntry("convey_metadata.json") != null);
        }
        ConveyTest.Result p = ConveyTest.run("predict", "--model-file", keras.toString(), "--top", "1",
                data.resolve("light/light0.png").toString());
        assertEquals(0, p.exitCode(), p.err());
        assertTrue(p.out().matches("(?s).*light0.png: (dark|light) 0\\.\\d{6}\\s*"), p.out());
    }

    @Test
    void evaluatePrintsTheFiguresAndSavesTheConfusionMatrix() throws Exception {
        ConveyTest.Result r = ConveyTest.run("evaluate", "--model-file", model.toString(), "--data", data.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s)16 images - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - top-2 accuracy: "
                + "1\\.0000.*confusion matrix.*"), r.out());
        assertTrue(r.out().contains("Misclassified: "), r.out());
        assertTrue(Files.size(tmp.resolve("m-confusion.png")) > 0);
    }

    @Test
    void featuresFromTheBaseAndFromALayer() throws Exception {
        Path npy = tmp.resolve("f.npy");
        ConveyTest.Result r = ConveyTest.run("features", "--base", "vgg16", "--weights", tinyVgg16NoTop(),
                "--width-divisor", "16", "--image-size", "32,32", "--data", data.toString(), "--output", npy.toString());
        assertEquals(0, r.exitCode(), r.err());
        Tensor f = Npy.read(npy);
        assertArrayEquals(new int[] {16, 32}, f.shape());   // 512 / 16 channels, pooling avg
        List<String> index = Files.readAllLines(tmp.resolve("f-index.csv"));
        assertEquals("row,path,label,class", index.get(0));
        assertTrue(index.get(1).matches("0,.*dark0.png,0,dark"), index.get(1));

        Path csv = tmp.resolve("g.csv");
        // the pooling layer's automatic name depends on how many were created before in this JVM (test order)
        String pooling = dev.convey.keras.KerasFiles.loadModel(model).layers().stream()
                .filter(l -> l.className().equals("GlobalAveragePooling2D")).findFirst().orElseThrow().name();
        ConveyTest.Result g = ConveyTest.run("features", "--model-file", model.toString(), "--layer",
                pooling, "--data", data.resolve("light").toString(), "--output", csv.toString());
        assertEquals(0, g.exitCode(), g.err() + g.out());
        List<String> rows = Files.readAllLines(csv);
        assertEquals(9, rows.size());
        assertEquals(3 + 32, rows.get(1).split(",").length, rows.get(1));
        assertTrue(rows.get(1).contains(",-1,"), "no class folders: label -1");
    }
}
