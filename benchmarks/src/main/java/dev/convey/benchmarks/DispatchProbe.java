package dev.convey.benchmarks;

import java.util.Arrays;
import java.util.Locale;

import dev.convey.blas.Blas;
import dev.convey.models.Model;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * What one {@link Parallel#range} hand-over costs, and how many a forward pass makes:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.DispatchProbe [BATCH [MODEL...]]
 * </pre>
 * First an empty two-chunk loop, after the caller has been busy for a gap of 0 us to 3 ms (a worker idle longer
 * than its spin has parked, and the next loop pays its wake-up or the caller runs its chunk itself); printed
 * are the median cost of one loop and the share of chunks the caller ran. Then per model the loops handed to
 * the workers in one forward pass, and how many of their chunks the caller ran because the worker had not
 * started them. {@code -Dprobe.ab=PROPERTY=A,B} alternates an engine switch loop by loop in the first table.
 */
public final class DispatchProbe {

    private DispatchProbe() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        String[] models = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
                : new String[] {Models.EFFICIENTNET_B0_NAME, Models.MOBILENET_V2_NAME, Models.RESNET50_NAME};
        String property = System.getProperty("probe.ab", "");
        String[] values = property.isEmpty() ? new String[] {null} : property.substring(property.indexOf('=') + 1).split(",");
        String key = property.isEmpty() ? null : property.substring(0, property.indexOf('='));
        System.out.println("| caller busy between loops (us) | " + (key == null ? "" : key + " | ")
                + "one empty loop, median us (quartiles) | chunks the caller ran |");
        System.out.println(key == null ? "| --- | --- | --- |" : "| --- | --- | --- | --- |");
        long[] sink = new long[Parallel.threads()];
        for (int gapMicros : new int[] {0, 10, 50, 100, 300, 600, 1000, 3000}) {
            int loops = gapMicros >= 1000 ? 300 : 1500;
            double[][] t = new double[values.length][loops];
            long[] stolen = new long[values.length];
            for (int i = 0; i < loops * values.length; i++) {   // the variants take turns, loop by loop
                int v = i % values.length;
                if (key != null) {
                    System.setProperty(key, values[v]);
                }
                busy(gapMicros * 1000L);
                long[] before = Parallel.dispatchCounts();
                long s = System.nanoTime();
                Parallel.range(Parallel.threads(), 1, (start, end) -> sink[start]++);
                t[v][i / values.length] = (System.nanoTime() - s) / 1e3;
                stolen[v] += Parallel.dispatchCounts()[1] - before[1];
            }
            for (int v = 0; v < values.length; v++) {
                Arrays.sort(t[v]);
                System.out.printf(Locale.ROOT, "| %d | %s%.2f (%.2f-%.2f) | %d of %d |%n", gapMicros,
                        key == null ? "" : values[v] + " | ", t[v][loops / 2], t[v][loops / 4], t[v][3 * loops / 4],
                        stolen[v], loops * (Parallel.threads() - 1));
            }
        }
        if (key != null) {
            System.clearProperty(key);
        }
        System.out.printf(Locale.ROOT, "%n| model (batch %d) | loops handed to the workers per forward | chunks the caller ran"
                + " | OpenBLAS thread-count switches |%n", batch);
        System.out.println("| --- | --- | --- | --- |");
        for (String name : models) {
            Model model = Models.classifier(name);
            Tensor images = Models.images(batch);
            for (int i = 0; i < 3; i++) {
                model.forward(images);
            }
            int calls = 5;
            long[] before = Parallel.dispatchCounts();
            long switches = Blas.threadSwitches();
            for (int i = 0; i < calls; i++) {
                model.forward(images);
            }
            long[] after = Parallel.dispatchCounts();
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", name, (after[0] - before[0]) / (double) calls,
                    (after[1] - before[1]) / (double) calls, (Blas.threadSwitches() - switches) / (double) calls);
        }
    }

    /** Keeps the calling thread busy (not sleeping) for {@code nanos}. */
    private static void busy(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
