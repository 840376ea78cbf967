package dev.convey.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ImageNet;
import dev.convey.applications.ResNet50;
import dev.convey.applications.SyntheticWeights;
import dev.convey.applications.VGG16;
import dev.convey.io.Npy;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/**
 * The applications exported to ONNX and run in ONNX Runtime give Convey's outputs to 1e-5: the tiny VGG16 and
 * ResNet50 of the fixtures (Keras' weights, every channel count / 16) by default, the full-size models with
 * synthetic weights in the slow group. The written file also passes ONNX's own checker where Debian's
 * python3-onnx is installed.
 */
class ApplicationExportTest {

    static Model create(String name, ApplicationOptions options) {
        return name.equals("vgg16") ? VGG16.create(options) : ResNet50.create(options);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg16", "resnet50"})
    void tinyApplicationsWithKerasWeightsMatchConvey(String name) throws Exception {
        for (String top : new String[] {"softmax", "linear", "notop"}) {
            ApplicationOptions options = new ApplicationOptions().widthDivisor(16);
            if (top.equals("notop")) {
                options.includeTop(false).weights(TestData.file("applications/tiny_" + name + "_notop_keras2.h5").toString());
            } else {
                options.classifierActivation(top).inputShape(64, 64, 3)
                        .weights(TestData.file("applications/tiny_" + name + "_keras2.h5").toString());
            }
            Model model = create(name, options);
            Tensor x = Npy.read(TestData.file("applications/tiny_input_preprocessed.npy"));
            OrtRunner.assertMatchesConvey(model, x);
        }
    }

    @Tag("slow")
    @ParameterizedTest
    @ValueSource(strings = {"vgg16", "resnet50"})
    void fullSizeApplicationsWithSyntheticWeightsMatchConvey(String name, @TempDir Path dir) throws Exception {
        Model model = create(name, new ApplicationOptions().weights(null).classifierActivation("linear"));
        SyntheticWeights.fill(model, SyntheticWeights.FIXTURE_SEED);
        Tensor x = ImageNet.preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 2, 224, 224));
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(model, file);
        Tensor expected = model.forward(x).copy();
        OrtRunner.assertClose(name, expected, OrtRunner.run(Files.readAllBytes(file), x));
    }

    @Test
    void theWrittenFilePassesOnnxsCheckerWhenPythonOnnxIsInstalled(@TempDir Path dir) throws Exception {
        assumeTrue(python("import onnx") == 0, "Debian's python3-onnx is not installed: ONNX checker skipped");
        Model model = create("resnet50", new ApplicationOptions().widthDivisor(16).inputShape(64, 64, 3).weights(null));
        Path file = dir.resolve("tiny_resnet50.onnx");
        OnnxExport.write(model, file);
        assertEquals(0, python("import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True);"
                + " assert m.opset_import[0].version == 13", file.toString()), "onnx.checker.check_model(full_check=True)");
    }

    /** Runs python3 -c SCRIPT ARGS and returns its exit code (127 when there is no python3). */
    private static int python(String script, String... args) throws InterruptedException {
        String[] command = new String[3 + args.length];
        command[0] = "python3";
        command[1] = "-c";
        command[2] = script;
        System.arraycopy(args, 0, command, 3, args.length);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            if (p.exitValue() != 0 && !script.equals("import onnx")) {
                System.err.println(output);
            }
            return p.exitValue();
        } catch (IOException e) {
            return 127;
        }
    }
}
