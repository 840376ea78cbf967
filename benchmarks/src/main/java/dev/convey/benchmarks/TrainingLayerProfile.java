package dev.convey.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * Where the all-layers training step's time goes, by kind of layer: the model of {@link TrainingBenchmark}
 * (base trainable under a new head), each leaf layer alone on inputs of its shapes at the batch, forward in
 * training mode and then backward with every gradient, each called twice in a row and timed the second time (see
 * {@link LayerProfile} on the first call), and the whole {@code fit} step once per round, so that both see the
 * same load:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.TrainingLayerProfile [ROUNDS [BATCH [MODEL...]]]
 * </pre>
 * Printed per model: per class of layer the medians over the rounds of the summed forward and backward times,
 * their share of the layers' sum, and the whole step's median.
 */
public final class TrainingLayerProfile {

    private TrainingLayerProfile() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String[] models = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length) : new String[] {Models.RESNET50_NAME};
        for (String name : models) {
            profile(name, rounds, batch);
        }
    }

    private static void profile(String name, int rounds, int batch) {
        TrainingSetting setting = new TrainingSetting(name, true, batch);
        Model network = setting.network;
        List<Layer> leaves = new ArrayList<>();
        collect(network, leaves);
        Map<String, double[][]> byKind = new LinkedHashMap<>();   // kind -> {forward[rounds], backward[rounds]}
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Layer l : leaves) {
            byKind.computeIfAbsent(l.className(), k -> new double[2][rounds]);
            counts.merge(l.className(), 1, Integer::sum);
        }
        double[] step = new double[rounds];
        for (int r = -1; r < rounds; r++) {
            long s0 = System.nanoTime();
            setting.step();
            double stepMs = (System.nanoTime() - s0) / 1e6;
            for (Layer layer : leaves) {
                Tensor[] in = new Tensor[layer.inputShapes().length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = sample(batch, layer.inputShapes()[i], i);
                }
                boolean[] needed = new boolean[in.length];
                Arrays.fill(needed, true);
                layer.forward(in, true);
                long t0 = System.nanoTime();
                Tensor y = layer.forward(in, true);
                long t1 = System.nanoTime();
                Tensor dy = sample(1, y.shape(), 7);
                layer.backward(dy, needed, true);
                long t2 = System.nanoTime();
                layer.backward(dy, needed, true);
                long t3 = System.nanoTime();
                if (r >= 0) {
                    double[][] k = byKind.get(layer.className());
                    k[0][r] += (t1 - t0) / 1e6;
                    k[1][r] += (t3 - t2) / 1e6;
                }
            }
            if (r >= 0) {
                step[r] = stepMs;
            }
        }
        double total = 0;
        for (double[][] k : byKind.values()) {
            total += PeerProbe.median(k[0]) + PeerProbe.median(k[1]);
        }
        System.out.printf(Locale.ROOT, "%n### %s all layers trainable, batch %d (medians of %d rounds)%n%n", name, batch, rounds);
        System.out.println("| layer class | layers | forward ms | backward ms | share of the layers' sum |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (Map.Entry<String, double[][]> e : byKind.entrySet()) {
            double f = PeerProbe.median(e.getValue()[0]);
            double b = PeerProbe.median(e.getValue()[1]);
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f %% |%n", e.getKey(), counts.get(e.getKey()), f, b,
                    100 * (f + b) / total);
        }
        System.out.printf(Locale.ROOT, "| sum of the layers alone | %d | | | %.1f ms |%n", leaves.size(), total);
        System.out.printf(Locale.ROOT, "| whole fit step (median) | | | | %.1f ms |%n", PeerProbe.median(step));
    }

    private static void collect(Layer layer, List<Layer> leaves) {
        if (!layer.sublayers().isEmpty()) {
            for (Layer inner : layer.sublayers()) {
                collect(inner, leaves);
            }
        } else if (!layer.isInput()) {
            leaves.add(layer);
        }
    }

    /** A deterministic tensor of {@code shape} (batch axis prepended when {@code batch > 1}). */
    private static Tensor sample(int batch, int[] shape, int seed) {
        int[] s = shape;
        if (batch > 1 || shape.length == 0) {
            s = new int[shape.length + 1];
            s[0] = batch;
            System.arraycopy(shape, 0, s, 1, shape.length);
        }
        Tensor x = Tensor.zeros(s);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) Math.sin(i * 0.37 + seed));
        }
        return x;
    }
}
