package dev.convey.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.convey.layers.Conv2D;
import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;

/**
 * The Conv2D layers of the all-layers training step of {@link TrainingBenchmark} by geometry (kernel, stride,
 * input shape, filters): forward in training mode, backward with dL/dW only and backward with dL/dx only, each
 * called twice and timed the second time, medians over the rounds of the sums per geometry:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.TrainingConvProfile [ROUNDS [BATCH [MODEL \
 *       [PROPERTY A B]]]]
 * </pre>
 * Printed: per geometry the layer count, the three times and (dW + dX) / forward, which is 2 when both backward
 * products run at the forward's speed. With PROPERTY, every layer's three phases run at A and at B in turn (who
 * goes first alternates by round) and the table has both and B / A (ratio of the medians).
 */
public final class TrainingConvProfile {

    private TrainingConvProfile() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String name = args.length > 2 ? args[2] : Models.RESNET50_NAME;
        String property = args.length > 5 ? args[3] : null;
        String[] values = property == null ? new String[] {null} : new String[] {args[4], args[5]};
        TrainingSetting setting = new TrainingSetting(name, true, batch);
        List<Conv2D> convs = new ArrayList<>();
        collect(setting.network, convs);
        setting.step();
        // geometry -> {forward, dW, dX} x value [rounds]
        Map<String, double[][]> byGeometry = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Conv2D c : convs) {
            byGeometry.computeIfAbsent(key(c), k -> new double[3 * values.length][rounds]);
            counts.merge(key(c), 1, Integer::sum);
        }
        for (int r = -1; r < rounds; r++) {
            for (int turn = 0; turn < values.length; turn++) {
                int v = (r & 1) == 0 ? turn : values.length - 1 - turn;
                if (property != null) {
                    System.setProperty(property, values[v]);
                }
                timeLayers(convs, batch, byGeometry, r, 3 * v);
            }
        }
        if (property != null) {
            System.clearProperty(property);
        }
        print(name, batch, rounds, property, values, byGeometry, counts, convs.size());
    }

    /** Each layer's forward, dW-only and dX-only backward (second calls), added into column {@code at} of round r. */
    private static void timeLayers(List<Conv2D> convs, int batch, Map<String, double[][]> byGeometry, int r, int at) {
        {
            for (Conv2D conv : convs) {
                Tensor[] in = {TrainingAbProbe.sample(batch, conv.inputShapes()[0], 0)};
                conv.forward(in, true);
                long t0 = System.nanoTime();
                Tensor y = conv.forward(in, true);
                long t1 = System.nanoTime();
                Tensor dy = TrainingAbProbe.sample(batch, Arrays.copyOfRange(y.shape(), 1, y.rank()), 7);
                conv.backward(dy, new boolean[] {false}, true);
                long t2 = System.nanoTime();
                conv.backward(dy, new boolean[] {false}, true);
                long t3 = System.nanoTime();
                conv.backward(dy, new boolean[] {true}, false);
                long t4 = System.nanoTime();
                conv.backward(dy, new boolean[] {true}, false);
                long t5 = System.nanoTime();
                if (r >= 0) {
                    double[][] k = byGeometry.get(key(conv));
                    k[at][r] += (t1 - t0) / 1e6;
                    k[at + 1][r] += (t3 - t2) / 1e6;
                    k[at + 2][r] += (t5 - t4) / 1e6;
                }
            }
        }
    }

    private static void print(String name, int batch, int rounds, String property, String[] values,
                              Map<String, double[][]> byGeometry, Map<String, Integer> counts, int layers) {
        System.out.printf(Locale.ROOT, "%n### %s Conv2D by geometry, batch %d (medians of %d rounds)%s%n%n", name, batch,
                rounds, property == null ? "" : ", " + property + " = " + values[0] + " (A) / " + values[1] + " (B)");
        String[] phases = {"forward", "dW", "dX"};
        StringBuilder head = new StringBuilder("| kernel/stride input -> filters | layers |");
        for (String phase : phases) {
            head.append(property == null ? " " + phase + " ms |" : " " + phase + " A ms | B ms | B / A |");
        }
        System.out.println(head + (property == null ? " (dW + dX) / forward |" : ""));
        System.out.println("| --- | --- |" + " --- |".repeat(property == null ? 4 : 9));
        double[] sum = new double[3 * values.length];
        Map<String, double[][]> rows = new LinkedHashMap<>(byGeometry);
        for (Map.Entry<String, double[][]> e : rows.entrySet()) {
            double[] m = new double[sum.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = PeerProbe.median(e.getValue()[i]);
                sum[i] += m[i];
            }
            System.out.println(row(e.getKey(), counts.get(e.getKey()), m, property != null));
        }
        System.out.println(row("all", layers, sum, property != null));
    }

    private static String row(String what, int layers, double[] m, boolean ab) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "| %s | %d |", what, layers));
        for (int p = 0; p < 3; p++) {
            b.append(ab ? String.format(Locale.ROOT, " %.1f | %.1f | %.3f |", m[p], m[3 + p], m[3 + p] / m[p])
                    : String.format(Locale.ROOT, " %.1f |", m[p]));
        }
        return ab ? b.toString() : b.append(String.format(Locale.ROOT, " %.2f |", (m[1] + m[2]) / m[0])).toString();
    }

    private static String key(Conv2D c) {
        int[] s = c.inputShapes()[0];
        return c.kernelSize()[0] + "x" + c.kernelSize()[1] + "/" + c.strides()[0] + " " + s[0] + "x" + s[1] + "x" + s[2]
                + " -> " + c.filters();
    }

    private static void collect(Layer layer, List<Conv2D> out) {
        for (Layer inner : layer.sublayers()) {
            collect(inner, out);
        }
        if (layer.sublayers().isEmpty() && layer.className().equals("Conv2D")) {
            out.add((Conv2D) layer);
        }
    }
}
