package dev.convey.benchmarks;

import java.util.Random;
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

import dev.convey.layers.Conv2D;
import dev.convey.tensor.Tensor;

/**
 * Every distinct convolution of VGG16 and ResNet50 at 224 x 224, batch 1, forward and backward. The list is
 * {@link ConvShape#ofModels()} ({@code ConvShapeTest} keeps the two in step). FLOPs:
 * <pre>
 *   forward   2 * MACs,      MACs = outH * outW * kh * kw * in * out
 *   backward  4 * MACs       dW = P^T dZ and dP = dZ W^T, each as large as the forward GEMM
 * </pre>
 * Backward computes both the weight and the input gradient (what a layer inside a trained network does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBenchmark {

    /** Input HxWxC - kernel KHxKW, stride S - padding - filters; see {@link ConvShape}. */
    @Param({
        // VGG16: 3x3 "same" convolutions, 5 blocks
        "224x224x3-3x3s1-same-64", "224x224x64-3x3s1-same-64", "112x112x64-3x3s1-same-128",
        "112x112x128-3x3s1-same-128", "56x56x128-3x3s1-same-256", "56x56x256-3x3s1-same-256",
        "28x28x256-3x3s1-same-512", "28x28x512-3x3s1-same-512", "14x14x512-3x3s1-same-512",
        // ResNet50: the 7x7 stem, then the bottleneck blocks' 1x1 (some strided) and 3x3 convolutions
        "230x230x3-7x7s2-valid-64",
        "56x56x64-1x1s1-valid-64", "56x56x64-3x3s1-same-64", "56x56x64-1x1s1-valid-256", "56x56x256-1x1s1-valid-64",
        "56x56x256-1x1s2-valid-128", "28x28x128-3x3s1-same-128", "56x56x256-1x1s2-valid-512",
        "28x28x128-1x1s1-valid-512", "28x28x512-1x1s1-valid-128",
        "28x28x512-1x1s2-valid-256", "14x14x256-3x3s1-same-256", "28x28x512-1x1s2-valid-1024",
        "14x14x256-1x1s1-valid-1024", "14x14x1024-1x1s1-valid-256",
        "14x14x1024-1x1s2-valid-512", "7x7x512-3x3s1-same-512", "14x14x1024-1x1s2-valid-2048",
        "7x7x512-1x1s1-valid-2048", "7x7x2048-1x1s1-valid-512",
    })
    public String shape;

    private Conv2D conv;
    private Tensor x;
    private Tensor outputGradient;
    private final boolean[] inputGradientNeeded = {true};

    @Setup
    public void setUp() {
        ConvShape s = ConvShape.parse(shape);
        conv = s.newLayer();
        Random random = new Random(1);
        x = uniform(random, 1, s.height(), s.width(), s.channels());
        Tensor y = conv.forward(x);
        outputGradient = uniform(random, y.shape());
    }

    private static Tensor uniform(Random random, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, random.nextFloat() * 2 - 1);
        }
        return t;
    }

    @Benchmark
    public Tensor forward() {
        return conv.forward(x);
    }

    /** dL/dW, dL/db and dL/dx for the input of the last forward (set up once; backward does not change it). */
    @Benchmark
    public Tensor[] backward() {
        return conv.backward(outputGradient, inputGradientNeeded, true);
    }
}
