package dev.convey.benchmarks;

import java.nio.FloatBuffer;
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

import dev.convey.blas.Blas;

/**
 * The in-run reference peak: one large square single-precision GEMM, C = A B with n x n matrices, 2 n^3 FLOPs.
 * Every other figure of the suite is reported as a fraction of this one, measured on the same machine in the
 * same run, so that "70% of peak" means the same thing on a laptop and on a server.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xmx1g", "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {

    @Param("2048")
    public int n;

    private FloatBuffer a;
    private FloatBuffer b;
    private FloatBuffer c;

    @Setup
    public void setUp() {
        a = randomMatrix(n, 1);
        b = randomMatrix(n, 2);
        c = Blas.allocate((long) n * n);
    }

    private static FloatBuffer randomMatrix(int n, long seed) {
        FloatBuffer m = Blas.allocate((long) n * n);
        Random random = new Random(seed);
        for (int i = 0; i < n * n; i++) {
            m.put(i, random.nextFloat() * 2 - 1);
        }
        return m;
    }

    /** C (n x n) = A (n x n) B (n x n). */
    @Benchmark
    public void sgemm() {
        Blas.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
    }
}
