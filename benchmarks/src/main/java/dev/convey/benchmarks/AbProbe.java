package dev.convey.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import dev.convey.models.Model;
import dev.convey.onnx.OnnxExport;
import dev.convey.tensor.Tensor;

/**
 * Before and after an engine change, in one JVM: Convey with an engine system property at value A, Convey with
 * it at value B, and ONNX Runtime, called in turn on the same model and images (an engine switch read at every
 * call, e.g. {@code convey.winograd4x4}), so that all three see the same background load:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.AbProbe PROPERTY A B [CALLS [BATCH [MODEL...]]]
 * </pre>
 * Prints per model the medians (and fastest) of A, B and ONNX Runtime, the ratios A / ORT and B / ORT of the
 * medians, and B / A: the median and quartiles of the per-round ratios (the spread under the machine's load).
 */
public final class AbProbe {

    private AbProbe() {
    }

    public static void main(String[] args) throws Exception {
        String property = args[0];
        String a = args[1];
        String b = args[2];
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        String[] models = args.length > 5 ? Arrays.copyOfRange(args, 5, args.length)
                : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME};
        System.out.printf(Locale.ROOT, "%s = %s (A) or %s (B), batch %d, %d rounds%n%n", property, a, b, batch, calls);
        System.out.println("| model | A median ms (min) | B median ms (min) | ONNX Runtime median ms (min) | A / ORT | B / ORT"
                + " | B / A per round: median (quartiles) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (String name : models) {
            Model model = Models.classifier(name);
            Path file = Files.createTempFile("convey-" + name, ".onnx");
            try (OrtSession.SessionOptions options = OrtInferenceBenchmark.inJvmProbeOptions()) {
                OnnxExport.write(model, file);
                Tensor x = Models.images(batch);
                try (OrtSession session = env.createSession(file.toString(), options);
                     OnnxTensor images = OnnxTensor.createTensor(env, x.data(),
                             new long[] {batch, Models.IMAGE_SIZE, Models.IMAGE_SIZE, 3})) {
                    String input = session.getInputNames().iterator().next();
                    double[] ta = new double[calls];
                    double[] tb = new double[calls];
                    double[] ort = new double[calls];
                    double[] ratio = new double[calls];
                    for (int i = -3; i < calls; i++) {   // three untimed rounds warm all up; A and B take turns first
                        boolean aFirst = (i & 1) == 0;
                        double first = forward(model, x, property, aFirst ? a : b);
                        double second = forward(model, x, property, aFirst ? b : a);
                        long t0 = System.nanoTime();
                        session.run(Map.of(input, images)).close();
                        long t1 = System.nanoTime();
                        if (i >= 0) {
                            ta[i] = aFirst ? first : second;
                            tb[i] = aFirst ? second : first;
                            ort[i] = (t1 - t0) / 1e6;
                            ratio[i] = tb[i] / ta[i];
                        }
                    }
                    System.clearProperty(property);
                    double[] r = ratio.clone();
                    Arrays.sort(r);
                    System.out.printf(Locale.ROOT, "| %s | %.1f (%.1f) | %.1f (%.1f) | %.1f (%.1f) | %.2f | %.2f | %.2f (%.2f-%.2f) |%n",
                            name, PeerProbe.median(ta), min(ta), PeerProbe.median(tb), min(tb), PeerProbe.median(ort), min(ort),
                            PeerProbe.median(ta) / PeerProbe.median(ort), PeerProbe.median(tb) / PeerProbe.median(ort),
                            PeerProbe.median(ratio), r[calls / 4], r[(3 * calls) / 4]);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /** One inference with the property at {@code value}: its time in ms. */
    private static double forward(Model model, Tensor x, String property, String value) {
        return timed(property, value, () -> model.forward(x));
    }

    /** One call with the engine property at {@code value}: its time in ms (also {@link ConvAbProbe}'s). */
    static double timed(String property, String value, Runnable call) {
        System.setProperty(property, value);
        long t0 = System.nanoTime();
        call.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }
}
