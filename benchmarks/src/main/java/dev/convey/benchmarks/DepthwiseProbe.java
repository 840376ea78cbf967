package dev.convey.benchmarks;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;

import dev.convey.blas.Blas;
import dev.convey.layers.ActivationFunction;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Epilogue;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * {@link DepthwiseBenchmark}'s forward pass, the strips (B) against the rows (A, {@code convey.depthwise.rows=true})
 * called in turn in one JVM, with the copy bandwidth of {@link MemoryBandwidthBenchmark} measured between them, so
 * that all see the same background load (the epilogue's activation: -Dactivation=relu, the default, or another;
 * -Dpass=backward for backward passes):
 * <pre>
 *   java [-Dactivation=relu6] [-Dpass=backward] -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.DepthwiseProbe [ROUNDS [BATCH [SHAPE...]]]
 * </pre>
 * Prints per shape (DepthwiseBenchmark's "HxWxCxKxS") the median ms of A and B, the median and quartiles of the
 * per-round ratio B / A, and each one's fraction of the memory-bandwidth bound: {@link DepthwiseBenchmark#bytes}
 * at the median copy bandwidth, divided by the median time.
 */
public final class DepthwiseProbe {

    private static final String PROPERTY = "convey.depthwise.rows";
    private static final int COPY_FLOATS = 1 << 26;
    /** -Dpass=backward times backward passes (dK and dx; the strips compute dx at stride 1 without a multiplier). */
    private static final boolean BACKWARD = "backward".equals(System.getProperty("pass"));

    private DepthwiseProbe() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        String[] shapes = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
                : new String[] {"112x112x32x3x1", "112x112x96x3x2", "56x56x144x3x1", "56x56x144x5x2", "28x28x240x5x1",
                        "28x28x192x3x1", "14x14x480x3x1", "14x14x672x5x1", "14x14x672x5x2", "7x7x1152x5x1", "7x7x960x3x1"};
        FloatBuffer source = Blas.allocate(COPY_FLOATS);
        FloatBuffer target = Blas.allocate(COPY_FLOATS);
        double[] bandwidth = new double[rounds * shapes.length];
        int copies = 0;
        System.out.printf(Locale.ROOT, "%s, batch %d, %d rounds; A = rows (%s=true), B = strips%n%n",
                BACKWARD ? "backward" : "forward", batch, rounds, PROPERTY);
        System.out.println("| shape | A rows median ms | B strips median ms | B / A per round: median (quartiles)"
                + " | A of bound | B of bound |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        String[] rows = new String[shapes.length];
        double[][] times = new double[shapes.length][];
        for (int k = 0; k < shapes.length; k++) {
            DepthwiseBenchmark b = new DepthwiseBenchmark();
            b.shape = shapes[k];
            b.batch = batch;
            b.path = "strips";
            b.activation = System.getProperty("activation", "relu");
            b.setUp();
            double[] ta = new double[rounds];
            double[] tb = new double[rounds];
            double[] ratio = new double[rounds];
            int reps = Math.max(1, (int) (2e8 / DepthwiseBenchmark.bytes(shapes[k], batch)));
            for (int i = -5; i < rounds; i++) {
                boolean aFirst = (i & 1) == 0;
                double first = time(b, aFirst, reps);
                double second = time(b, !aFirst, reps);
                if (i >= 0) {
                    ta[i] = aFirst ? first : second;
                    tb[i] = aFirst ? second : first;
                    ratio[i] = tb[i] / ta[i];
                    long t0 = System.nanoTime();
                    Parallel.range(COPY_FLOATS, 1 << 20, (s, e) -> target.put(s, source, s, e - s));
                    bandwidth[copies++] = 8.0 * COPY_FLOATS / (System.nanoTime() - t0);   // bytes per ns = GB/s
                }
            }
            Arrays.sort(ratio);
            rows[k] = (String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.2f (%.2f-%.2f) |", shapes[k], median(ta),
                    median(tb), median(ratio), ratio[rounds / 4], ratio[(3 * rounds) / 4]));
            times[k] = new double[] {median(ta), median(tb)};
        }
        double gbs = median(Arrays.copyOf(bandwidth, copies));
        for (int k = 0; k < shapes.length; k++) {
            double boundMs = (BACKWARD ? DepthwiseBenchmark.backwardBytes(shapes[k], batch)
                    : DepthwiseBenchmark.bytes(shapes[k], batch)) / gbs / 1e6;
            System.out.println(rows[k] + String.format(Locale.ROOT,
                    " %.1f %% | %.1f %% |", 100 * boundMs / times[k][0], 100 * boundMs / times[k][1]));
        }
        System.out.printf(Locale.ROOT, "%ncopy bandwidth (MemoryBandwidthBenchmark's copy, median): %.1f GB/s%n", gbs);
        System.clearProperty(PROPERTY);
    }

    /** ms per forward pass with the epilogue, rows (A) or strips (B), averaged over reps calls. */
    private static double time(DepthwiseBenchmark b, boolean rows, int reps) {
        System.setProperty(PROPERTY, String.valueOf(rows));
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) {
            if (BACKWARD) {
                b.backward();
            } else {
                b.forward();
            }
        }
        return (System.nanoTime() - t0) / 1e6 / reps;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
