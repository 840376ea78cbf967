package dev.convey.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import dev.convey.models.Model;
import dev.convey.onnx.OnnxExport;
import dev.convey.tensor.Tensor;

/**
 * Convey and ONNX Runtime called in turn on the same model, weights and images, in one JVM: the median of N
 * calls each (and the fastest), and the ratio of the medians. Interleaving puts both under the same background
 * load, so on a shared machine this ratio is steadier than two JMH benchmarks run minutes apart:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.PeerProbe [CALLS_AT_BATCH_1 [CALLS_AT_BATCH_8 [MODEL...]]]
 * </pre>
 * Prints one markdown row per model and batch (defaults: 20 calls at batch 1, 10 at batch 8, as issue 14; the
 * models of {@link PeerComparison#MODELS}).
 */
public final class PeerProbe {

    private PeerProbe() {
    }

    public static void main(String[] args) throws Exception {
        int calls1 = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int calls8 = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.println("| model | batch | Convey median ms (min) | ONNX Runtime median ms (min) | Convey / ONNX Runtime (medians) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String[] models = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length) : PeerComparison.MODELS;
        for (String name : models) {
            Model model = Models.classifier(name);
            Path file = Files.createTempFile("convey-" + name, ".onnx");
            try (OrtSession.SessionOptions options = OrtInferenceBenchmark.inJvmProbeOptions()) {
                OnnxExport.write(model, file);
                try (OrtSession session = env.createSession(file.toString(), options)) {
                    Files.deleteIfExists(file);
                    String input = session.getInputNames().iterator().next();
                    for (int batch : new int[] {1, 8}) {
                        Tensor x = Models.images(batch);
                        try (OnnxTensor images = OnnxTensor.createTensor(env, x.data(),
                                new long[] {batch, Models.IMAGE_SIZE, Models.IMAGE_SIZE, 3})) {
                            int calls = batch == 1 ? calls1 : calls8;
                            double[] convey = new double[calls];
                            double[] ort = new double[calls];
                            for (int i = -3; i < calls; i++) {   // three untimed rounds warm both up
                                long t0 = System.nanoTime();
                                model.forward(x);
                                long t1 = System.nanoTime();
                                session.run(Map.of(input, images)).close();
                                long t2 = System.nanoTime();
                                if (i >= 0) {
                                    convey[i] = (t1 - t0) / 1e6;
                                    ort[i] = (t2 - t1) / 1e6;
                                }
                            }
                            System.out.printf(java.util.Locale.ROOT, "| %s | %d | %.1f (%.1f) | %.1f (%.1f) | %.2f |%n", name, batch,
                                    median(convey), min(convey), median(ort), min(ort), median(convey) / median(ort));
                        }
                    }
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }
}
