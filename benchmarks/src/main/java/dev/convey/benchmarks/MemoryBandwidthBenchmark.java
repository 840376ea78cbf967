package dev.convey.benchmarks;

import java.nio.FloatBuffer;
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

import dev.convey.blas.Blas;
import dev.convey.tensor.Parallel;

/**
 * The machine's other limit: how fast both cores can stream memory, as a copy of a buffer far larger than the
 * caches (STREAM's "copy"; bytes read + bytes written per second). Layers that touch each float once or twice
 * (dense layers at batch 1, which read every weight for one multiply-add; batch norm, ReLU and Add in training)
 * cannot run faster than their bytes at this rate, whatever the GEMM peak.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemoryBandwidthBenchmark {

    /** Floats per buffer: 64 Mi floats, 256 MiB each. */
    @Param("67108864")
    public int floats;

    private FloatBuffer source;
    private FloatBuffer target;

    @Setup
    public void setUp() {
        source = Blas.allocate(floats);
        target = Blas.allocate(floats);
        for (int i = 0; i < floats; i++) {
            source.put(i, i);
        }
    }

    /** target = source, each core copying its own half. */
    @Benchmark
    public FloatBuffer copy() {
        Parallel.range(floats, 1 << 20, (start, end) -> target.put(start, source, start, end - start));
        return target;
    }
}
