package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.InputLayer;
import dev.convey.models.Model;
import dev.convey.models.Sequential;
import dev.convey.tensor.Tensor;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelMetadataTest {

    @TempDir
    Path dir;

    @Test
    void savedWithTheModelAndReadBackWhileTheModelStillLoads() {
        Sequential model = new Sequential("m");
        model.add(new InputLayer(2, 2, 3));
        model.add(new Flatten());
        model.add(new Dense(2).activation("softmax"));
        ModelMetadata meta = new ModelMetadata(List.of("ants", "bées"), "tf", new int[] {224, 160}, "rgb",
                "mobilenet");
        Path file = dir.resolve("m.h5");
        KerasModelFile.save(model, file, meta);

        ModelMetadata read = ModelMetadata.read(file).orElseThrow();
        assertEquals(List.of("ants", "bées"), read.classNames());
        assertEquals("tf", read.preprocessing());
        assertArrayEquals(new int[] {224, 160}, read.imageSize());
        assertEquals("mobilenet", read.base());
        Model loaded = KerasModelFile.load(file);
        assertEquals(model.layers().size(), loaded.layers().size());
        try (Hdf5File f = Hdf5File.open(file)) {
            assertTrue(f.root().hasAttribute("model_config"));
        }
        KerasModelFile.save(model, dir.resolve("plain.h5"));
        assertTrue(ModelMetadata.read(dir.resolve("plain.h5")).isEmpty());
    }

    @Test
    void malformedMetadataIsAnErrorNamingTheFile() {
        for (String bad : List.of("{", "[]", "{\"class_names\": [1], \"preprocessing\": \"tf\", \"image_size\": [2, 2],"
                + " \"color_mode\": \"rgb\"}", "{\"class_names\": [], \"preprocessing\": \"magic\", \"image_size\": "
                + "[2, 2], \"color_mode\": \"rgb\"}", "{\"class_names\": [], \"preprocessing\": \"tf\", "
                + "\"image_size\": [0, 2], \"color_mode\": \"rgb\"}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelMetadata.fromJson(bad, "evil.h5"));
            assertTrue(e.getMessage().startsWith("evil.h5: invalid convey_metadata"), e.getMessage());
        }
    }

    @Test
    void preprocessingModesAreKerasFormulas() {
        Tensor x = Tensor.of(new float[] {0, 127.5f, 255}, 1, 1, 1, 3);
        assertArrayEquals(new float[] {-1, 0, 1}, meta("tf").preprocess(x).toArray(), 1e-6f);
        // torch: (x / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
        assertArrayEquals(new float[] {-0.485f / 0.229f, (0.5f - 0.456f) / 0.224f, (1 - 0.406f) / 0.225f},
                meta("torch").preprocess(x).toArray(), 1e-5f);
        // caffe: BGR minus [103.939, 116.779, 123.68]
        assertArrayEquals(new float[] {255 - 103.939f, 127.5f - 116.779f, -123.68f},
                meta("caffe").preprocess(x).toArray(), 1e-4f);
        assertArrayEquals(x.toArray(), meta("none").preprocess(x).toArray());
    }

    private static ModelMetadata meta(String mode) {
        return new ModelMetadata(List.of("a"), mode, new int[] {1, 1}, "rgb", null);
    }
}
