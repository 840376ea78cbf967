package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.convey.layers.BatchNormalization;
import dev.convey.layers.CenterCrop;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Dot;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.RandomContrast;
import dev.convey.layers.RandomCrop;
import dev.convey.layers.RandomFlip;
import dev.convey.layers.RandomRotation;
import dev.convey.layers.RandomTranslation;
import dev.convey.layers.RandomZoom;
import dev.convey.layers.Resizing;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Dot, BatchNormalization(axis) and Keras 3's preprocessing layers in Keras files: their configs as Keras 3 and
 * Keras 2 write them, refusals by name, getConfig -> config -> layer -> getConfig, and a model holding all of
 * them (its trip through .keras, .h5 and .weights.h5 is in KerasRoundTripTest).
 */
class KerasPreprocessingLayersTest {

    @TempDir
    Path dir;

    private static Layer read(String className, String json) {
        return KerasLayerConfig.fromConfig(className, JsonParser.parseString(json).getAsJsonObject());
    }

    private static List<Layer> everyLayer() {
        return List.of(new Dot(new int[] {1, 2}, true), new Dot(-1), new BatchNormalization().axis(1).epsilon(0.01),
                new Resizing(5, 7, "nearest", false, true, 0.5), new Resizing(5, 7, "bilinear", true, false, 0),
                new CenterCrop(3, 4), new RandomFlip(RandomFlip.VERTICAL, 3L),
                new RandomRotation(new double[] {-0.1, 0.3}, "constant", "nearest", 0.25, 4L),
                new RandomZoom(new double[] {0.2}, new double[] {-0.1, 0.4}, "wrap", "bilinear", 0, null),
                new RandomZoom(0.3), new RandomTranslation(new double[] {0.1}, new double[] {0.2, 0.3}, "nearest", "nearest", 0, 5L),
                new RandomContrast(new double[] {0.2, 0.5}, new double[] {0, 1}, 6L), new RandomCrop(4, 5, 7L));
    }

    @Test
    void everyConfigReadsBackToTheSameLayer() {
        for (Layer layer : everyLayer()) {
            JsonObject written = KerasLayerConfig.toConfig(layer);
            Layer back = KerasLayerConfig.fromConfig(written.get("class_name").getAsString(), written.getAsJsonObject("config"));
            assertEquals(layer.className(), back.className());
            assertEquals(written.toString(), KerasLayerConfig.toConfig(back).toString(), layer.describe());
        }
    }

    @Test
    void keras3ConfigsAsKerasWritesThem() {
        String dtype = "\"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"},"
                + " \"registered_name\": null}";
        Layer flip = read("RandomFlip", "{\"name\": \"random_flip\", \"trainable\": true, " + dtype
                + ", \"seed\": 1337, \"mode\": \"horizontal\", \"data_format\": \"channels_last\"}");
        assertEquals("horizontal", flip.getConfig().get("mode"));
        assertEquals(1337L, flip.getConfig().get("seed"));
        Layer rotation = read("RandomRotation", "{\"name\": \"random_rotation\", \"trainable\": true, " + dtype
                + ", \"factor\": [-0.1, 0.1], \"data_format\": \"channels_last\", \"fill_mode\": \"reflect\","
                + " \"fill_value\": 0.0, \"interpolation\": \"bilinear\", \"seed\": null}");
        assertEquals(List.of(-0.1, 0.1), rotation.getConfig().get("factor"));
        Layer zoom = read("RandomZoom", "{\"name\": \"random_zoom\", \"height_factor\": 0.1, \"width_factor\": null}");
        assertEquals(null, zoom.getConfig().get("width_factor"));
        Layer tupled = read("RandomTranslation", "{\"name\": \"t\", \"height_factor\": {\"class_name\": \"__tuple__\","
                + " \"config\": {\"value\": [-0.2, 0.3]}}, \"width_factor\": 0.1}");
        assertEquals(List.of(-0.2, 0.3), tupled.getConfig().get("height_factor"));
        Layer contrast = read("RandomContrast", "{\"name\": \"c\", \"factor\": [0.0, 0.2], \"value_range\": [0, 255], \"seed\": null}");
        assertEquals(List.of(0.0, 0.2), contrast.getConfig().get("factor"));
        Layer resizing = read("Resizing", "{\"name\": \"r\", \"height\": 224, \"width\": 224, \"interpolation\": \"bilinear\","
                + " \"crop_to_aspect_ratio\": true, \"pad_to_aspect_ratio\": false, \"fill_mode\": \"constant\","
                + " \"fill_value\": 0.0, \"antialias\": false, \"data_format\": \"channels_last\"}");
        assertEquals(true, resizing.getConfig().get("crop_to_aspect_ratio"));
        Layer dot = read("Dot", "{\"name\": \"dot\", \"axes\": [1, 2], \"normalize\": false}");
        assertEquals(List.of(1, 2), dot.getConfig().get("axes"));
        assertEquals("cc", read("CenterCrop", "{\"name\": \"cc\", \"height\": 3, \"width\": 4}").name());
        assertEquals(3, read("RandomCrop", "{\"name\": \"rc\", \"height\": 3, \"width\": 4, \"seed\": 5}").getConfig().get("height"));
    }

    @Test
    void batchNormalizationAxisAsKeras2AndKeras3WriteIt() {
        assertEquals(1, read("BatchNormalization", "{\"name\": \"bn\", \"axis\": [1]}").getConfig().get("axis"));
        assertEquals(3, read("BatchNormalization", "{\"name\": \"bn\", \"axis\": [3]}").getConfig().get("axis"));
        assertEquals(2, read("BatchNormalization", "{\"name\": \"bn\", \"axis\": 2}").getConfig().get("axis"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read("BatchNormalization", "{\"name\": \"bn\", \"axis\": [1, 2]}"));
        assertTrue(e.getMessage().contains("'bn'") && e.getMessage().contains("axis"), e.getMessage());
    }

    @Test
    void whatIsNotImplementedIsRefusedByName() {
        for (String[] c : new String[][] {
                {"Resizing", "{\"name\": \"r\", \"height\": 4, \"width\": 4, \"interpolation\": \"bicubic\"}", "interpolation"},
                {"Resizing", "{\"name\": \"r\", \"height\": 4, \"width\": 4, \"antialias\": true}", "antialias"},
                {"RandomRotation", "{\"name\": \"r\", \"factor\": 0.1, \"fill_mode\": \"mirror\"}", "fill_mode"},
                {"RandomZoom", "{\"name\": \"r\", \"height_factor\": 1.5}", "height_factor"},
                {"RandomFlip", "{\"name\": \"r\", \"mode\": \"diagonal\"}", "mode"},
                {"RandomRotation", "{\"name\": \"r\", \"factor\": 0.1, \"data_format\": \"channels_first\"}", "channels_first"},
                {"Dot", "{\"name\": \"r\", \"axes\": [1, 2, 3]}", "axes"},
                {"RandomCrop", "{\"name\": \"r\", \"height\": 0, \"width\": 3}", "height"},
                {"RandomFlip", "{\"name\": \"r\", \"bounding_box_format\": \"xyxy\"}", "bounding_box_format"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(c[0], c[1]), c[1]);
            assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains("'r'"), e.getMessage());
        }
    }

    /** Every new layer in one model: image augmentation, resizing and crops, BN on the height axis, a Dot head. */
    static Model everyPreprocessingLayer(long seed) {
        SymbolicTensor in = Input.of(9, 12, 3);
        SymbolicTensor h = new RandomFlip(RandomFlip.HORIZONTAL, 1L).apply(in);
        h = new RandomRotation(0.1).apply(h);
        h = new RandomZoom(0.2).apply(h);
        h = new RandomTranslation(0.1, 0.1).apply(h);
        h = new RandomContrast(0.2).apply(h);
        h = new Resizing(10, 10, "bilinear", false, true, 0.5).apply(h);
        h = new CenterCrop(8, 8).apply(h);
        h = new RandomCrop(6, 7, 2L).apply(h);
        h = new Conv2D(4, 3).apply(h);
        h = new BatchNormalization().axis(1).apply(h);
        SymbolicTensor f = new GlobalAveragePooling2D().apply(h);
        SymbolicTensor a = new Dense(5).apply(f);
        SymbolicTensor b = new Dense(5).apply(f);
        SymbolicTensor d = new Dot(new int[] {-1}, true).apply(a, b);
        Model m = new Model(in, new Dense(2).activation("softmax").apply(new dev.convey.layers.Concatenate().apply(d, a)),
                "every_preprocessing_layer");
        KerasRoundTripTest.randomize(m, seed);
        return m;
    }

    /** Its file round trip is in KerasRoundTripTest; here what Keras' summary shows of it, before and after. */
    @Test
    void theSummaryShowsTheNewLayersAndSurvivesTheFile() {
        Model original = everyPreprocessingLayer(3);
        Path file = dir.resolve("m.keras");
        KerasFiles.save(original, file);
        String summary = original.summary();
        assertEquals(summary, KerasFiles.loadModel(file).summary());
        assertTrue(summary.contains("(RandomFlip)") && summary.contains("(None, 6, 7, 3)") && summary.contains("(Dot)")
                && summary.contains("(None, 10, 10, 3)"), summary);
    }
}
