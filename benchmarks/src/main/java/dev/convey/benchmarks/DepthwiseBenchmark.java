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

import dev.convey.layers.DepthwiseConv2D;
import dev.convey.tensor.Tensor;

/**
 * DepthwiseConv2D's direct kernel on MobileNet's largest depthwise layers (3x3, batch 8): {@code conv_dw_1}
 * (112x112x32, stride 1) and {@code conv_dw_2} (112x112x64, stride 2, after its padding), forward and backward.
 * The memory-bandwidth bound of a forward pass reads x and writes y once: (|x| + |y|) * 4 bytes divided by the copy
 * bandwidth of {@link MemoryBandwidthBenchmark} (which also reads and writes every float once); a backward pass
 * reads x and dy and writes dx: (2 |x| + |y|) * 4 bytes ({@link #backwardBytes}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DepthwiseBenchmark {

    /** "height,width,channels,stride". */
    @Param({"112,112,32,1", "113,113,64,2"})
    public String shape;

    private DepthwiseConv2D layer;
    private Tensor x;
    private Tensor outputGradient;
    private final boolean[] inputGradientNeeded = {true};

    @Setup
    public void setUp() {
        String[] f = shape.split(",");
        int h = Integer.parseInt(f[0]);
        int w = Integer.parseInt(f[1]);
        int c = Integer.parseInt(f[2]);
        int stride = Integer.parseInt(f[3]);
        layer = new DepthwiseConv2D(3).strides(stride).padding(stride == 1 ? "same" : "valid").useBias(false);
        x = Tensor.full(0.5f, 8, h, w, c);
        Tensor y = layer.forward(x);
        outputGradient = Tensor.full(0.25f, y.shape());
    }

    @Benchmark
    public Tensor forward() {
        return layer.forward(x);
    }

    /** dL/dK and dL/dx for the input of the last forward (set up once; backward does not change it). */
    @Benchmark
    public Tensor[] backward() {
        return layer.backward(outputGradient, inputGradientNeeded, true);
    }

    /** The bytes one forward pass must move at least: x read once, y written once. */
    static long bytes(int h, int w, int c, int stride) {
        int oh = stride == 1 ? h : (h - 3) / stride + 1;
        int ow = stride == 1 ? w : (w - 3) / stride + 1;
        return 4L * 8 * ((long) h * w * c + (long) oh * ow * c);
    }

    /** The bytes one backward pass must move at least: x and dy read once, dx written once. */
    static long backwardBytes(int h, int w, int c, int stride) {
        return bytes(h, w, c, stride) + 4L * 8 * h * w * c;
    }
}
