package dev.convey.benchmarks;

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
import org.openjdk.jmh.annotations.Warmup;

import dev.convey.layers.ActivationFunction;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Epilogue;
import dev.convey.tensor.Tensor;

/**
 * DepthwiseConv2D's direct kernel on the depthwise layers of MobileNet, MobileNetV2 and EfficientNetB0 ('same'
 * padding), forward as in inference (a folded batch norm and an activation in the kernel's epilogue,
 * {@code forwardWithEpilogue}) and backward. {@code path} picks the kernel's forward pass: {@code strips}
 * (DepthwiseForward, the default) or {@code rows} (the row-by-row pass before it, system property
 * {@code convey.depthwise.rows=true}); JMH runs the two paths of a shape one after the other, so that they see about
 * the same background load.
 *
 * <p>The memory-bandwidth bound of a forward pass reads x, writes y and reads the weights once ({@link #bytes}),
 * at the copy bandwidth of {@link MemoryBandwidthBenchmark} (which also reads and writes every float once); a
 * backward pass also reads dy and writes dx ({@link #backwardBytes}). Fraction of the bound = bytes / bandwidth /
 * measured time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DepthwiseBenchmark {

    /** "HxWxCxKxS": the input's height, width and channels, the kernel size and the stride. */
    @Param({"112x112x32x3x1", "112x112x96x3x2", "56x56x144x3x1", "56x56x144x5x2", "28x28x240x5x1", "28x28x192x3x1",
            "14x14x480x3x1", "14x14x672x5x1", "14x14x672x5x2", "7x7x1152x5x1", "7x7x960x3x1"})
    public String shape;

    @Param({"1", "8"})
    public int batch;

    @Param({"strips", "rows"})
    public String path;

    /** The activation after the batch norm: MobileNetV2's relu6 (a float loop in the epilogue, FloatActivations). */
    @Param({"relu6"})
    public String activation;

    private DepthwiseConv2D layer;
    private Tensor x;
    private Tensor outputGradient;
    private Epilogue epilogue;
    private final boolean[] inputGradientNeeded = {true};

    @Setup
    public void setUp() {
        System.setProperty("convey.depthwise.rows", String.valueOf(path.equals("rows")));
        int[] s = parse(shape);
        int c = s[2];
        layer = new DepthwiseConv2D(s[3]).strides(s[4]).padding("same").useBias(false);
        x = Tensor.zeros(batch, s[0], s[1], c);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) Math.sin(i * 0.37));
        }
        Tensor y = layer.forward(x);
        outputGradient = Tensor.full(0.25f, y.shape());
        float[][] scaleShift = new float[2][c];
        for (int i = 0; i < c; i++) {
            scaleShift[0][i] = 1f + i * 0.001f;
            scaleShift[1][i] = 0.5f - i * 0.001f;
        }
        epilogue = Epilogue.NONE.thenScaleShift(scaleShift).thenActivation(ActivationFunction.forName(activation));
    }

    /** Inference: y = act(depthwise(x) * s + t), the batch norm folded in. */
    @Benchmark
    public Tensor forward() {
        return layer.forwardWithEpilogue(x, epilogue);
    }

    /** dL/dK and dL/dx for the input of the plain forward pass of setUp (backward does not change it). */
    @Benchmark
    public Tensor[] backward() {
        return layer.backward(outputGradient, inputGradientNeeded, true);
    }

    private static int[] parse(String shape) {
        String[] f = shape.split("x");
        int[] s = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            s[i] = Integer.parseInt(f[i]);
        }
        return s;
    }

    /** The bytes one forward pass must move at least: x read once, y written once, the weights read once. */
    static long bytes(String shape, int batch) {
        int[] s = parse(shape);
        long out = (long) ((s[0] + s[4] - 1) / s[4]) * ((s[1] + s[4] - 1) / s[4]) * s[2];
        return 4L * (batch * ((long) s[0] * s[1] * s[2] + out) + (long) s[3] * s[3] * s[2]);
    }

    /** The bytes one backward pass must move at least: x and dy read once, dx written once, K read, dK written. */
    static long backwardBytes(String shape, int batch) {
        int[] s = parse(shape);
        return bytes(shape, batch) + 4L * (batch * (long) s[0] * s[1] * s[2] + (long) s[3] * s[3] * s[2]);
    }
}
