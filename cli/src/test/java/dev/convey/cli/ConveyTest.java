package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ImageNet;
import dev.convey.applications.VGG16;
import dev.convey.data.Images;
import dev.convey.data.Interpolation;
import dev.convey.io.Npy;
import dev.convey.keras.KerasModelFile;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;
import picocli.CommandLine;

/** The commands run in-process on the tiny fixtures (VGG16 / ResNet50 with channels / 16, 64x64 images). */
class ConveyTest {

    @TempDir
    Path tmp;

    record Result(int exitCode, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\\R"));
        }
    }

    static Result run(String... args) {
        CommandLine cl = Convey.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static String fixture(String name) {
        return TestData.file("applications/" + name).toString();
    }

    /** --model vgg16 with the tiny Keras 2 weights file. */
    private static List<String> tinyVgg16(String... more) {
        List<String> args = new ArrayList<>(List.of("--model", "vgg16", "--weights", fixture("tiny_vgg16_keras2.h5"),
                "--width-divisor", "16", "--input-shape", "64,64,3"));
        args.addAll(List.of(more));
        return args;
    }

    private static String[] concat(String command, List<String> args, String... more) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(args);
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private static void assertClose(Tensor expected, Tensor actual, double rms) {
        assertArrayEquals(expected.shape(), actual.shape());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data().get(i), actual.data().get(i), 1e-4 * rms, "element " + i);
        }
    }

    // ---------------------------------------------------------------- predict

    @Test
    void predictClassifiesTheElephantPhotoEndToEnd() {
        String elephant = TestData.file("images/elephant.jpg").toString();
        Result r = run(concat("predict", tinyVgg16(), elephant));
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.outLines();
        assertEquals(5, lines.size(), r.out());

        // The same pipeline by hand: load_img(nearest, 64x64), preprocess_input, the model, decode_predictions.
        Model model = VGG16.create(new ApplicationOptions().widthDivisor(16).inputShape(64, 64, 3)
                .weights(fixture("tiny_vgg16_keras2.h5")));
        Tensor x = ImageNet.preprocessInput(Images.load(Path.of(elephant), 64, 64, Interpolation.NEAREST).reshape(1, 64, 64, 3));
        List<ImageNet.Prediction> expected = ImageNet.decodePredictions(model.forward(x), 5).get(0);
        float previous = Float.MAX_VALUE;
        for (int k = 0; k < 5; k++) {
            String[] fields = lines.get(k).split(" ");
            assertEquals(3, fields.length, lines.get(k));
            assertEquals(expected.get(k).wnid(), fields[0]);
            assertEquals(expected.get(k).label(), fields[1]);
            float p = Float.parseFloat(fields[2]);
            assertEquals(expected.get(k).probability(), p, 5e-7);
            assertTrue(p <= previous, "sorted by probability: " + r.out());
            previous = p;
        }
    }

    @Test
    void predictPrefixesLinesWithTheImageWhenThereAreSeveral() {
        String elephant = TestData.file("images/elephant.jpg").toString();
        Result r = run(concat("predict", tinyVgg16("--top", "2", "--batch-size", "1"), elephant, elephant));
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.outLines();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith(elephant + ": n"), lines.get(0));
        assertEquals(lines.get(0), lines.get(2));
        assertEquals(lines.get(1), lines.get(3));
    }

    // ---------------------------------------------------------------- infer

    @Test
    void inferWritesTheExpectedLogitsFeaturesAndPredictions() throws IOException {
        Path input = Path.of(fixture("tiny_input_preprocessed.npy"));
        Path logits = tmp.resolve("logits.npy");
        Result r = run(concat("infer", tinyVgg16("--classifier-activation", "linear"), "--input", input.toString(),
                "--output", logits.toString(), "--batch-size", "1"));
        assertEquals(0, r.exitCode(), r.err());
        assertClose(Npy.read(Path.of(fixture("tiny_vgg16_logits.npy"))), Npy.read(logits), 0.6434093013081557);

        Path features = tmp.resolve("features.npy");
        r = run(concat("infer", tinyVgg16(), "--input", input.toString(), "--output", features.toString(),
                "--layer", "block5_pool"));
        assertEquals(0, r.exitCode(), r.err());
        assertClose(Npy.read(Path.of(fixture("tiny_vgg16_block5_pool.npy"))), Npy.read(features), 0.4232911592591896);

        Path resnet = tmp.resolve("resnet.npy");
        r = run("infer", "--model", "resnet50", "--no-top", "--weights", fixture("tiny_resnet50_notop_keras2.h5"),
                "--width-divisor", "16", "--input", input.toString(), "--output", resnet.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertClose(Npy.read(Path.of(fixture("tiny_resnet50_conv5_block3_out.npy"))), Npy.read(resnet), 0.41177016795461713);
    }

    @Test
    void inferRunsAKerasModelFile() throws IOException {
        Model model = VGG16.create(new ApplicationOptions().widthDivisor(16).inputShape(64, 64, 3)
                .weights(fixture("tiny_vgg16_keras1.h5")));
        Path file = tmp.resolve("tiny_vgg16_model.h5");
        KerasModelFile.save(model, file);
        Path out = tmp.resolve("predictions.npy");
        Result r = run("infer", "--model-file", file.toString(), "--input", fixture("tiny_input_preprocessed.npy"),
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        Tensor expected = Npy.read(Path.of(fixture("tiny_vgg16_predictions.npy")));
        double sumOfSquares = 0;
        for (float v : expected.toArray()) {
            sumOfSquares += v * v;
        }
        assertClose(expected, Npy.read(out), Math.sqrt(sumOfSquares / expected.size()));
    }

    // ---------------------------------------------------------------- summary

    @Test
    void summaryPrintsKerasTable() {
        Result r = run("summary", "--model", "resnet50");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("conv5_block3_out"), r.out());
        assertTrue(r.out().contains("25,636,712"), r.out());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void errorsAreOneLineWithoutStackTraceUnlessVerbose() {
        Path missing = tmp.resolve("missing.npy");
        Result r = run(concat("infer", tinyVgg16(), "--input", missing.toString(), "--output", tmp.resolve("y.npy").toString()));
        assertEquals(Convey.EXIT_FAILURE, r.exitCode());
        assertEquals(List.of("convey infer: no such file: " + missing), List.of(r.err().split("\\R")));
        assertEquals("", r.out());

        Result verbose = run(concat("infer", tinyVgg16("--verbose"), "--input", missing.toString(), "--output", "y.npy"));
        assertEquals(Convey.EXIT_FAILURE, verbose.exitCode());
        assertTrue(verbose.err().startsWith("convey infer: no such file: " + missing), verbose.err());
        assertTrue(verbose.err().contains("\tat "), "--verbose prints the stack trace: " + verbose.err());

        Result unknown = run("summary", "--model", "alexnet");
        assertEquals(Convey.EXIT_FAILURE, unknown.exitCode());
        assertTrue(unknown.err().contains("Unknown model 'alexnet'") && !unknown.err().contains("\tat "), unknown.err());

        Result offline = run("predict", "--model", "vgg16", "--no-top", "x.jpg");
        assertEquals(Convey.EXIT_FAILURE, offline.exitCode());
        assertTrue(offline.err().contains("leave out --no-top"), offline.err());
    }

    @Test
    void wrongCommandLinesShowTheUsage() {
        Result both = run("summary", "--model", "vgg16", "--model-file", "x.h5");
        assertEquals(CommandLine.ExitCode.USAGE, both.exitCode());
        // picocli: "expected only one match but got ... {--model=vgg16} and ... {--model-file=x.h5}", then the usage.
        assertTrue(both.err().contains("expected only one match") && both.err().contains("Usage: convey summary"),
                both.err());
        Result none = run("infer", "--input", "x.npy", "--output", "y.npy");
        assertEquals(CommandLine.ExitCode.USAGE, none.exitCode());
        assertFalse(none.err().isEmpty());
    }
}
