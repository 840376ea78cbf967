package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.VGG16;
import dev.convey.keras.KerasModelFile;
import dev.convey.models.Model;
import dev.convey.onnx.OnnxExport;
import dev.convey.testdata.TestData;

/**
 * {@code convey export --format onnx}: the file holds exactly what {@link OnnxExport} writes for the same model
 * (which the onnx module's tests run in ONNX Runtime), from an application or a Keras model file.
 */
class ExportCommandTest {

    @TempDir
    Path tmp;

    private static String fixture(String name) {
        return TestData.file("applications/" + name).toString();
    }

    @Test
    void exportsAKerasModelFileAsOnnx() throws Exception {
        Model model = VGG16.create(new ApplicationOptions().widthDivisor(16).inputShape(64, 64, 3)
                .weights(fixture("tiny_vgg16_keras2.h5")));
        Path file = tmp.resolve("tiny_vgg16.h5");
        KerasModelFile.save(model, file);
        Path out = tmp.resolve("out/tiny_vgg16.onnx");
        ConveyTest.Result r = ConveyTest.run("export", "--format", "onnx", "--model-file", file.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("Wrote " + out), r.out());
        assertArrayEquals(OnnxExport.toBytes(KerasModelFile.load(file)), Files.readAllBytes(out));
    }

    @Test
    void exportsAnApplicationByName() throws Exception {
        Path out = tmp.resolve("resnet50.onnx");
        ConveyTest.Result r = ConveyTest.run("export", "--format", "onnx", "--model", "resnet50", "--weights", "none",
                "--width-divisor", "16", "--input-shape", "64,64,3", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        byte[] onnx = Files.readAllBytes(out);
        // ModelProto field 1 (ir_version, varint) = 7, then field 2 (producer_name) = "convey".
        assertEquals(0x08, onnx[0]);
        assertEquals(7, onnx[1]);
        assertEquals("convey", new String(onnx, 4, 6, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void anUnknownFormatIsRefusedAndNothingIsWritten() {
        Path out = tmp.resolve("x.tflite");
        ConveyTest.Result r = ConveyTest.run("export", "--format", "tflite", "--model-file", fixture("tiny_vgg16_keras2.h5"),
                out.toString());
        assertEquals(Convey.EXIT_FAILURE, r.exitCode());
        assertTrue(r.err().contains("Unknown export format 'tflite': expected onnx"), r.err());
        assertFalse(Files.exists(out));
    }
}
