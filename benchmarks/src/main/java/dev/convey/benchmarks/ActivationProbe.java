package dev.convey.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

import dev.convey.layers.ActivationFunction;
import dev.convey.tensor.Tensor;

/**
 * Nanoseconds a float of an activation in place over a tensor ({@link ActivationFunction#forward(Tensor)}) with an
 * engine switch at value A and at value B, in one JVM, rounds alternating:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.ActivationProbe PROPERTY A B [FLOATS [ROUNDS [ACTIVATION...]]]
 * </pre>
 * e.g. {@code convey.nativeEpilogue false true 65536 30 silu sigmoid relu}. Prints the median ns a float of A and B and
 * the median and quartiles of the per-round ratios B / A.
 */
public final class ActivationProbe {

    private ActivationProbe() {
    }

    public static void main(String[] args) {
        String property = args[0];
        String[] values = {args[1], args[2]};
        int floats = args.length > 3 ? Integer.parseInt(args[3]) : 1 << 16;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        String[] names = args.length > 5 ? Arrays.copyOfRange(args, 5, args.length) : new String[] {"silu"};
        Tensor x = Tensor.zeros(floats / 64, 64);
        Random random = new Random(1);
        float[] source = new float[x.size()];
        for (int i = 0; i < source.length; i++) {
            source[i] = (float) (random.nextGaussian() * 4);
        }
        System.out.printf(Locale.ROOT, "%s = %s (A) or %s (B), %d floats, %d rounds%n", property, values[0], values[1],
                x.size(), rounds);
        for (String name : names) {
            ActivationFunction f = ActivationFunction.forName(name);
            double[][] ns = new double[2][rounds];
            double[] ratio = new double[rounds];
            for (int round = -5; round < rounds; round++) {
                for (int k = 0; k < 2; k++) {
                    int v = (round & 1) == 0 ? k : 1 - k;
                    System.setProperty(property, values[v]);
                    int repeats = Math.max(1, (1 << 23) / x.size());
                    long best = Long.MAX_VALUE;
                    for (int rep = 0; rep < 5; rep++) {
                        x.data().put(0, source);
                        long t0 = System.nanoTime();
                        for (int i = 0; i < repeats; i++) {
                            f.forward(x);   // silu of silu ... stays in range; the cost per float is what counts
                        }
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                    if (round >= 0) {
                        ns[v][round] = (double) best / repeats / x.size();
                    }
                }
                if (round >= 0) {
                    ratio[round] = ns[1][round] / ns[0][round];
                }
            }
            System.clearProperty(property);
            System.out.printf(Locale.ROOT, "%s: A %.3f ns/float, B %.3f ns/float, B / A per round %.3f (%.3f-%.3f)%n", name,
                    quantile(ns[0], 0.5), quantile(ns[1], 0.5), quantile(ratio, 0.5), quantile(ratio, 0.25),
                    quantile(ratio, 0.75));
        }
    }

    private static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.round(q * (s.length - 1))];
    }
}
