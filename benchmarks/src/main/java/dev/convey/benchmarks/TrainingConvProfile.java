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
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.TrainingConvProfile [ROUNDS [BATCH [MODEL]]]
 * </pre>
 * Printed: per geometry the layer count, the three times and (dW + dX) / forward, which is 2 when both backward
 * products run at the forward's speed.
 */
public final class TrainingConvProfile {

    private TrainingConvProfile() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String name = args.length > 2 ? args[2] : Models.RESNET50_NAME;
        TrainingSetting setting = new TrainingSetting(name, true, batch);
        List<Conv2D> convs = new ArrayList<>();
        collect(setting.network, convs);
        setting.step();
        Map<String, double[][]> byGeometry = new LinkedHashMap<>();   // geometry -> {forward, dW, dX}[rounds]
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Conv2D c : convs) {
            byGeometry.computeIfAbsent(key(c), k -> new double[3][rounds]);
            counts.merge(key(c), 1, Integer::sum);
        }
        for (int r = -1; r < rounds; r++) {
            for (Conv2D conv : convs) {
                Tensor[] in = {sample(batch, conv.inputShapes()[0], 0)};
                conv.forward(in, true);
                long t0 = System.nanoTime();
                Tensor y = conv.forward(in, true);
                long t1 = System.nanoTime();
                Tensor dy = sample(batch, Arrays.copyOfRange(y.shape(), 1, y.rank()), 7);
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
                    k[0][r] += (t1 - t0) / 1e6;
                    k[1][r] += (t3 - t2) / 1e6;
                    k[2][r] += (t5 - t4) / 1e6;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n### %s Conv2D by geometry, batch %d (medians of %d rounds)%n%n", name, batch, rounds);
        System.out.println("| kernel/stride input -> filters | layers | forward ms | dW ms | dX ms | (dW + dX) / forward |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        double[] sum = new double[3];
        for (Map.Entry<String, double[][]> e : byGeometry.entrySet()) {
            double f = PeerProbe.median(e.getValue()[0]);
            double w = PeerProbe.median(e.getValue()[1]);
            double x = PeerProbe.median(e.getValue()[2]);
            sum[0] += f;
            sum[1] += w;
            sum[2] += x;
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.2f |%n", e.getKey(), counts.get(e.getKey()),
                    f, w, x, (w + x) / f);
        }
        System.out.printf(Locale.ROOT, "| all | %d | %.1f | %.1f | %.1f | %.2f |%n", convs.size(), sum[0], sum[1], sum[2],
                (sum[1] + sum[2]) / sum[0]);
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
        if (layer instanceof Conv2D c) {
            out.add(c);
        }
    }

    private static final Map<String, Tensor> SAMPLES = new java.util.HashMap<>();

    private static Tensor sample(int batch, int[] shape, int seed) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return SAMPLES.computeIfAbsent(Arrays.toString(s) + seed, k -> {
            Tensor x = Tensor.zeros(s);
            for (int i = 0; i < x.size(); i++) {
                x.data().put(i, (float) Math.sin(i * 0.37 + seed));
            }
            return x;
        });
    }
}
