package dev.convey.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * Before and after an engine change to training, in one JVM: the all-layers {@code fit} step of
 * {@link TrainingBenchmark} with an engine system property at value A and at value B, in turn (who goes first
 * alternates), and the layers of one class alone (forward in training mode then backward, as in
 * {@link TrainingLayerProfile}) at A and at B:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.TrainingAbProbe PROPERTY A B LAYER_CLASS \
 *       [ROUNDS [BATCH [MODEL...]]]
 * </pre>
 * e.g. {@code convey.batchnorm.reference true false BatchNormalization}. Prints per model the medians of A and B,
 * B / A per round (median and quartiles), and the step's GFLOP/s counting backward as twice the forward
 * ({@code 3 * 2 * MACs * batch} per step, MACs from {@link Models#macsPerImage}).
 */
public final class TrainingAbProbe {

    private TrainingAbProbe() {
    }

    public static void main(String[] args) {
        String property = args[0];
        String a = args[1];
        String b = args[2];
        String layerClass = args[3];
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 9;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 8;
        String[] models = args.length > 6 ? Arrays.copyOfRange(args, 6, args.length)
                : new String[] {Models.RESNET50_NAME, Models.VGG16_NAME};
        System.out.printf(Locale.ROOT, "%s = %s (A) or %s (B), batch %d, %d rounds%n%n", property, a, b, batch, rounds);
        System.out.println("| model | what | A median ms | B median ms | B / A per round: median (quartiles) | A GFLOP/s | B GFLOP/s |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        for (String name : models) {
            TrainingSetting setting = new TrainingSetting(name, true, batch);
            Model network = setting.network;
            List<Layer> layers = new ArrayList<>();
            collect(network, layerClass, layers);
            double gflop = 3.0 * 2 * Models.macsPerImage(network) * batch / 1e9;
            double[][] step = new double[2][rounds];
            double[][] alone = new double[2][rounds];
            for (int i = -2; i < rounds; i++) {
                boolean aFirst = (i & 1) == 0;
                for (int turn = 0; turn < 2; turn++) {
                    int which = (turn == 0) == aFirst ? 0 : 1;
                    String value = which == 0 ? a : b;
                    double s = AbProbe.timed(property, value, setting::step);
                    double l = AbProbe.timed(property, value, () -> runAlone(layers, batch));
                    if (i >= 0) {
                        step[which][i] = s;
                        alone[which][i] = l;
                    }
                }
            }
            System.clearProperty(property);
            row(name, "all-layers fit step", step, rounds, gflop);
            row(name, layers.size() + " " + layerClass + " alone, forward + backward x2", alone, rounds, Double.NaN);
        }
    }

    private static void row(String name, String what, double[][] t, int rounds, double gflop) {
        double[] ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            ratio[i] = t[1][i] / t[0][i];
        }
        double[] r = ratio.clone();
        Arrays.sort(r);
        double ma = PeerProbe.median(t[0]);
        double mb = PeerProbe.median(t[1]);
        System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.3f (%.3f-%.3f) | %.1f | %.1f |%n", name, what, ma, mb,
                PeerProbe.median(ratio), r[rounds / 4], r[(3 * rounds) / 4], gflop / ma * 1e3, gflop / mb * 1e3);
    }

    /** Each layer forward in training mode and backward with every gradient, twice, on fixed inputs of its shapes. */
    private static void runAlone(List<Layer> layers, int batch) {
        for (Layer layer : layers) {
            Tensor[] in = new Tensor[layer.inputShapes().length];
            boolean[] needed = new boolean[in.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = sample(batch, layer.inputShapes()[i], i);
                needed[i] = true;
            }
            for (int k = 0; k < 2; k++) {
                Tensor y = layer.forward(in, true);
                int[] outShape = Arrays.copyOfRange(y.shape(), 1, y.rank());
                layer.backward(sample(batch, outShape, 7), needed, true);
            }
        }
    }

    private static final java.util.Map<String, Tensor> SAMPLES = new java.util.HashMap<>();

    /** A fixed tensor of {@code shape} with the batch axis prepended, made once per shape. */
    static Tensor sample(int batch, int[] shape, int seed) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return SAMPLES.computeIfAbsent(Arrays.toString(s) + seed, k -> {
            Tensor x = Tensor.zeros(s);
            for (int i = 0; i < x.size(); i++) {
                x.data().put(i, (float) (1 + Math.sin(i * 0.37 + seed)));
            }
            return x;
        });
    }

    private static void collect(Layer layer, String layerClass, List<Layer> out) {
        for (Layer inner : layer.sublayers()) {
            collect(inner, layerClass, out);
        }
        if (layer.sublayers().isEmpty() && layer.className().equals(layerClass)) {
            out.add(layer);
        }
    }
}
