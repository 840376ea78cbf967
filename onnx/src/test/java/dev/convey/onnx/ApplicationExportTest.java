package dev.convey.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.Applications;
import dev.convey.applications.ResNet50;
import dev.convey.applications.SyntheticWeights;
import dev.convey.applications.VGG16;
import dev.convey.io.Npy;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/**
 * The applications exported to ONNX and run in ONNX Runtime give Convey's outputs to 1e-5: by default the tiny
 * VGG16 and ResNet50 of the fixtures (Keras' weights, every channel count / 16) and every other application of
 * the registry narrow and small; every application at full size with synthetic weights in the slow group. The written file also passes ONNX's own checker where Debian's
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

    /** Every other application of the registry (MobileNet, MobileNetV2 ...), narrow and at 96 x 96, synthetic weights. */
    @ParameterizedTest
    @MethodSource("otherApplications")
    void smallApplicationsWithSyntheticWeightsMatchConvey(String name) throws Exception {
        Model model = Applications.get(name).create(new ApplicationOptions().weights(null).alpha(0.35)
                .inputShape(96, 96, 3).classifierActivation("linear"));
        keepInitialKernelsRandomiseTheRest(model, 96);
        Tensor x = Applications.get(name).preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 2, 96, 96));
        OrtRunner.assertMatchesConvey(model, x);
    }

    /**
     * Kernels keep Keras' random initialisation (SyntheticWeights has no rule for depthwise kernels); biases and
     * batch-norm parameters and statistics are drawn near their defaults, so that every one of them matters.
     */
    static void keepInitialKernelsRandomiseTheRest(Model model, long seed) {
        java.util.Random random = new java.util.Random(seed);
        for (dev.convey.layers.Parameter p : model.weights()) {
            if (p.name().endsWith("kernel")) {
                continue;
            }
            boolean aroundOne = p.name().equals("gamma") || p.name().endsWith("variance");
            float[] v = new float[(int) p.value().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = aroundOne ? 0.5f + random.nextFloat() : 0.2f * (random.nextFloat() - 0.5f);
            }
            p.assign(Tensor.of(v, p.value().shape()));
        }
    }

    static Stream<String> otherApplications() {
        return Applications.names().stream().filter(n -> !n.equals("vgg16") && !n.equals("resnet50"))
                .filter(n -> !LARGER_VARIANTS.contains(n));
    }

    /**
     * zoob: wider or deeper variants of a family exported small above (the same layers, more of them): exported
     * at full size in the slow group only, to keep the default suite quick.
     */
    private static final java.util.Set<String> LARGER_VARIANTS = java.util.Set.of("efficientnet_b1", "efficientnet_b2",
            "efficientnet_b3", "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
            "densenet169", "densenet201");

    @Tag("slow")
    @ParameterizedTest
    @MethodSource("allApplications")
    void fullSizeApplicationsWithSyntheticWeightsMatchConvey(String name, @TempDir Path dir) throws Exception {
        // 224 x 224 for all: the default size of most, a reduced one for EfficientNetB1-B7 (240 ... 600 by default).
        Model model = Applications.get(name).create(new ApplicationOptions().weights(null).classifierActivation("linear")
                .inputShape(224, 224, 3));
        if (name.equals("vgg16") || name.equals("resnet50")) {
            SyntheticWeights.fill(model, SyntheticWeights.FIXTURE_SEED);
        } else {
            keepInitialKernelsRandomiseTheRest(model, 224);
        }
        int[] hwc = model.input().shape();
        Tensor x = Applications.get(name).preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 2, hwc[0],
                hwc[1]));
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(model, file);
        Tensor expected = model.forward(x).copy();
        OrtRunner.assertClose(name, expected, OrtRunner.run(Files.readAllBytes(file), x));
    }

    static Stream<String> allApplications() {
        return Applications.names().stream();
    }

    @Test
    void theWrittenFilePassesOnnxsCheckerWhenPythonOnnxIsInstalled(@TempDir Path dir) throws Exception {
        // Debian's python3-onnx lives under /usr/bin/python3, which a pyenv or venv python3 on the PATH may hide.
        String python = null;
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            if (python == null && python(candidate, "import onnx") == 0) {
                python = candidate;
            }
        }
        assumeTrue(python != null, "Debian's python3-onnx is not installed: ONNX checker skipped");
        Model model = create("resnet50", new ApplicationOptions().widthDivisor(16).inputShape(64, 64, 3).weights(null));
        Path file = dir.resolve("tiny_resnet50.onnx");
        OnnxExport.write(model, file);
        assertEquals(0, python(python, "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True);"
                + " assert m.opset_import[0].version == 13", file.toString()), "onnx.checker.check_model(full_check=True)");
    }

    /** Runs PYTHON -c SCRIPT ARGS and returns its exit code (127 when there is no such program). */
    private static int python(String python, String script, String... args) throws InterruptedException {
        String[] command = new String[3 + args.length];
        command[0] = python;
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
