package dev.convey.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

import dev.convey.layers.Conv2D;
import dev.convey.tensor.Tensor;

/**
 * One convolution layer (or several) before and after an engine change, in one JVM: the layer's forward pass with
 * an engine system property at value A, then at value B, in turn (A and B take turns first), on the same input:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.ConvAbProbe PROPERTY A B CALLS BATCH SHAPE...
 * </pre>
 * SHAPE is a {@link ConvShape} key such as {@code 224x224x3-3x3s1-same-64}. Prints per shape the medians (and
 * fastest) of A and B in ms, and B / A: the median and quartiles of the per-round ratios.
 */
public final class ConvAbProbe {

    private ConvAbProbe() {
    }

    public static void main(String[] args) {
        String property = args[0];
        String a = args[1];
        String b = args[2];
        int calls = Integer.parseInt(args[3]);
        int batch = Integer.parseInt(args[4]);
        System.out.printf(Locale.ROOT, "%s = %s (A) or %s (B), batch %d, %d rounds%n%n", property, a, b, batch, calls);
        System.out.println("| shape | A median ms (min) | B median ms (min) | GFLOP/s A, B | B / A per round: median (quartiles) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (String key : Arrays.copyOfRange(args, 5, args.length)) {
            ConvShape s = ConvShape.parse(key);
            Conv2D conv = s.newLayer();
            Random random = new Random(1);
            Tensor x = Tensor.zeros(batch, s.height(), s.width(), s.channels());
            for (int i = 0; i < x.size(); i++) {
                x.data().put(i, random.nextFloat() * 2 - 1);
            }
            double[] ta = new double[calls];
            double[] tb = new double[calls];
            double[] ratio = new double[calls];
            for (int i = -5; i < calls; i++) {
                boolean aFirst = (i & 1) == 0;
                double first = time(conv, x, property, aFirst ? a : b);
                double second = time(conv, x, property, aFirst ? b : a);
                if (i >= 0) {
                    ta[i] = aFirst ? first : second;
                    tb[i] = aFirst ? second : first;
                    ratio[i] = tb[i] / ta[i];
                }
            }
            System.clearProperty(property);
            double[] r = ratio.clone();
            Arrays.sort(r);
            double gflop = 2.0 * s.forwardMacs() * batch / 1e9;
            System.out.printf(Locale.ROOT, "| %s | %.3f (%.3f) | %.3f (%.3f) | %.0f, %.0f | %.2f (%.2f-%.2f) |%n", key,
                    PeerProbe.median(ta), AbProbe.min(ta), PeerProbe.median(tb), AbProbe.min(tb),
                    gflop / PeerProbe.median(ta) * 1e3, gflop / PeerProbe.median(tb) * 1e3,
                    PeerProbe.median(ratio), r[calls / 4], r[(3 * calls) / 4]);
        }
    }

    private static double time(Conv2D conv, Tensor x, String property, String value) {
        return AbProbe.timed(property, value, () -> conv.forward(x));
    }
}
