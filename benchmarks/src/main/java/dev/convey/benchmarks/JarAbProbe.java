package dev.convey.benchmarks;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Two builds of Convey in one JVM, for changes without a switch: each benchmarks jar in a class loader of its own
 * (nothing shared but the JDK), the same model built and called in turn by both, so that both see the same
 * background load:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.JarAbProbe A.jar B.jar [CALLS [BATCH [MODEL...]]]
 * </pre>
 * Prints per model the medians (and fastest) of A and B and B / A: the median and quartiles of the per-round
 * ratios. With {@code -Djarab.training=true} each round is the all-layers {@code fit} step of {@link TrainingSetting}
 * (a training change without a switch).
 */
public final class JarAbProbe {

    /** System property {@code jarab.training=true}: time TrainingAbProbe's all-layers fit step instead of inference. */
    private static final boolean TRAINING = Boolean.getBoolean("jarab.training");

    private JarAbProbe() {
    }

    /** One build's model, called through reflection (its classes are not this loader's). */
    private static final class Build {

        private final Object model;
        private final Object images;
        private final Method forward;

        Build(Path jar, String name, int batch) throws Exception {
            ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> models = Class.forName(Models.class.getName(), true, loader);
            Method classifier = models.getDeclaredMethod("classifier", String.class);
            Method imagesOf = models.getDeclaredMethod("images", int.class);
            classifier.setAccessible(true);
            imagesOf.setAccessible(true);
            if (TRAINING) {   // the all-layers fit step of TrainingAbProbe: a TrainingSetting of that build
                Class<?> setting = Class.forName(TrainingSetting.class.getName(), true, loader);
                Constructor<?> make = setting.getDeclaredConstructor(String.class, boolean.class, int.class);
                make.setAccessible(true);
                model = make.newInstance(name, true, batch);
                images = null;
                forward = setting.getDeclaredMethod("step");
                forward.setAccessible(true);
                return;
            }
            model = classifier.invoke(null, name);
            images = imagesOf.invoke(null, batch);
            forward = model.getClass().getMethod("forward", Class.forName("dev.convey.tensor.Tensor", false, loader));
        }

        /** One inference (or, with jarab.training, one fit step): its time in ms. */
        double call() throws Exception {
            long t0 = System.nanoTime();
            if (images == null) {
                forward.invoke(model);
            } else {
                forward.invoke(model, images);
            }
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        Path a = Path.of(args[0]);
        Path b = Path.of(args[1]);
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        String[] names = args.length > 4 ? Arrays.copyOfRange(args, 4, args.length)
                : new String[] {Models.EFFICIENTNET_B0_NAME, Models.MOBILENET_V2_NAME};
        System.out.printf(Locale.ROOT, "A = %s, B = %s, batch %d, %d rounds%n%n", a, b, batch, calls);
        System.out.println("| model | A median ms (min) | B median ms (min) | B / A per round: median (quartiles) |");
        System.out.println("| --- | --- | --- | --- |");
        for (String name : names) {
            Build ba = new Build(a, name, batch);
            Build bb = new Build(b, name, batch);
            double[] ta = new double[calls];
            double[] tb = new double[calls];
            double[] ratio = new double[calls];
            for (int i = -5; i < calls; i++) {   // five untimed rounds warm both up; A and B take turns first
                boolean aFirst = (i & 1) == 0;
                double first = aFirst ? ba.call() : bb.call();
                double second = aFirst ? bb.call() : ba.call();
                if (i >= 0) {
                    ta[i] = aFirst ? first : second;
                    tb[i] = aFirst ? second : first;
                    ratio[i] = tb[i] / ta[i];
                }
            }
            double[] r = ratio.clone();
            Arrays.sort(r);
            System.out.printf(Locale.ROOT, "| %s | %.2f (%.2f) | %.2f (%.2f) | %.3f (%.3f-%.3f) |%n", name,
                    PeerProbe.median(ta), Arrays.stream(ta).min().orElse(Double.NaN),
                    PeerProbe.median(tb), Arrays.stream(tb).min().orElse(Double.NaN),
                    PeerProbe.median(ratio), r[calls / 4], r[(3 * calls) / 4]);
        }
    }
}
