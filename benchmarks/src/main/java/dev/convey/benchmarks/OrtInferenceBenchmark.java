package dev.convey.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.convey.onnx.OnnxExport;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * The peer: ONNX Runtime (Microsoft's MLAS kernels, what a Java user picks for fast CNN inference) running the
 * same models as {@link InferenceBenchmark}, exported by Convey's ONNX export with the same synthetic weights, on
 * the same images. Settings as fair as we know: intra-op threads = Convey's threads, sequential execution (one
 * operator at a time, as Convey runs), all graph optimisations (ORT folds BN into the convolutions and fuses
 * the activations, as Convey's inference does). One operation = one batch, output included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:MaxDirectMemorySize=8g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class OrtInferenceBenchmark {

    @Param({Models.VGG16_NAME, Models.RESNET50_NAME, Models.MOBILENET_V2_NAME, Models.MOBILENET_NAME,
        Models.EFFICIENTNET_B0_NAME, Models.DENSENET121_NAME,
            Models.XCEPTION_NAME, Models.INCEPTION_V3_NAME, Models.VGG19_NAME, Models.RESNET101_NAME,
            Models.RESNET152_NAME, Models.RESNET50_V2_NAME, Models.RESNET101_V2_NAME, Models.RESNET152_V2_NAME,
            Models.EFFICIENTNET_B1_NAME, Models.EFFICIENTNET_B2_NAME, Models.EFFICIENTNET_B3_NAME,
            Models.EFFICIENTNET_B4_NAME, Models.EFFICIENTNET_B5_NAME, Models.EFFICIENTNET_B6_NAME,
            Models.EFFICIENTNET_B7_NAME, Models.DENSENET169_NAME, Models.DENSENET201_NAME})
    public String model;

    @Param({"1", "8"})
    public int batch;

    private OrtSession session;
    private OrtSession.SessionOptions options;
    private OnnxTensor images;
    private String inputName;

    @Setup
    public void setUp() throws IOException, OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        options = sessionOptions();
        // Through a file: ONNX Runtime reads it itself, with no 550 MB byte[] copy of VGG16 on the heap.
        Path file = Files.createTempFile("convey-" + model, ".onnx");
        dev.convey.models.Model classifier = Models.classifier(model);
        try {
            OnnxExport.write(classifier, file);
            session = env.createSession(file.toString(), options);
        } finally {
            Files.deleteIfExists(file);
        }
        inputName = session.getInputNames().iterator().next();
        Tensor x = Models.images(model, classifier, batch);
        images = OnnxTensor.createTensor(env, x.data(), java.util.Arrays.stream(x.shape()).asLongStream().toArray());
    }

    /** The session settings of the comparison (see the class comment). */
    static OrtSession.SessionOptions sessionOptions() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(Parallel.threads());
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        // Pad_Fusion folds ZeroPadding2D's Pad into a following MaxPool, whose pads are -inf: a different function
        // (ResNet V2's pool1); off, so that the peer computes what Convey computes.
        o.addConfigEntry("optimization.disable_specified_optimizers", "Pad_Fusion");
        return o;
    }

    /**
     * The session settings for a probe that calls Convey and ONNX Runtime in turn in one JVM: those of the comparison
     * with ORT's intra-op threads told not to spin after a run ({@code session.intra_op.allow_spinning = 0}), so that
     * they do not hold the two cores while Convey's next call needs them. ORT's own time rises slightly (its workers
     * wake from sleep); the JMH comparison keeps ORT's default, each engine in a JVM of its own.
     */
    static OrtSession.SessionOptions inJvmProbeOptions() throws OrtException {
        OrtSession.SessionOptions o = sessionOptions();
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }

    /** ONNX Runtime's {@code session.run}: the 1000 class probabilities of each image. */
    @Benchmark
    public float predict() throws OrtException {
        try (OrtSession.Result result = session.run(Map.of(inputName, images))) {
            return ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
        }
    }

    @TearDown
    public void tearDown() throws OrtException {
        images.close();
        session.close();
        options.close();
    }
}
