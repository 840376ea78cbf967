package dev.convey.benchmarks;

import java.util.function.BiConsumer;

/**
 * The RESULTS.md section comparing Convey with ONNX Runtime in the same run: per model and batch both times
 * and the ratio Convey / ONNX Runtime (below 1: Convey is faster), with the target ratio of issue 14 (0.85), and
 * how to reproduce the PyTorch figures outside the build.
 */
final class PeerComparison {

    static final String ORT_INFERENCE = "OrtInferenceBenchmark.predict";
    /** Issue 14: Convey at most 0.85 x ONNX Runtime's time. */
    static final double TARGET_RATIO = 0.85;
    static final String[] MODELS = {Models.VGG16_NAME, Models.RESNET50_NAME, Models.MOBILENET_V2_NAME, Models.MOBILENET_NAME,
        Models.EFFICIENTNET_B0_NAME, Models.DENSENET121_NAME};

    private PeerComparison() {
    }

    /** The section; {@code target} receives each ratio target with its measured value (NaN if not run). */
    static String markdown(Scores scores, BiConsumer<Target, Double> target) {
        StringBuilder md = new StringBuilder("## Convey and ONNX Runtime, inference in the same run\n\n")
                .append("ONNX Runtime runs Convey's ONNX export of the same models, weights and images"
                        + " (`OrtInferenceBenchmark`: intra-op threads = Convey's threads, sequential execution, all"
                        + " graph optimisations; ").append(ortVersion()).append("). MobileNet and MobileNetV2 (alpha 1,"
                        + " 224 x 224) keep Keras' random initialisation; EfficientNetB0 and DenseNet121 have the"
                        + " synthetic weights.\n\n")
                .append("| model | batch | Convey ms / batch | ONNX Runtime ms / batch | Convey / ONNX Runtime |\n")
                .append("| --- | --- | --- | --- | --- |\n");
        for (String model : MODELS) {
            for (String batch : new String[] {"1", "8"}) {
                Scores.Score convey = scores.get(ResultsReport.INFERENCE, "model", model, "batch", batch);
                Scores.Score ort = scores.get(ORT_INFERENCE, "model", model, "batch", batch);
                double ratio = ratio(convey, ort);
                md.append("| ").append(model).append(" | ").append(batch).append(" | ").append(ms(convey)).append(" | ")
                        .append(ms(ort)).append(" | ").append(ResultsReport.number(ratio)).append(" |\n");
                if (hasTarget(model, batch)) {
                    target.accept(Target.atMost(model + " inference, batch " + batch + ", Convey / ONNX Runtime",
                            TARGET_RATIO, "x"), ratio);
                }
            }
        }
        return md.append('\n').append(PYTORCH).append('\n').toString();
    }

    /** Issue 14's ratio targets: VGG16 and ResNet50 at batch 1 and 8, MobileNetV2 at batch 1. */
    private static boolean hasTarget(String model, String batch) {
        return model.equals(Models.VGG16_NAME) || model.equals(Models.RESNET50_NAME)
                || model.equals(Models.MOBILENET_V2_NAME) && batch.equals("1");
    }

    /** Convey's mean time over ONNX Runtime's, NaN unless both ran. */
    static double ratio(Scores.Score convey, Scores.Score ort) {
        return convey == null || ort == null ? Double.NaN : convey.ms() / ort.ms();
    }

    private static String ms(Scores.Score s) {
        return s == null ? "-" : ResultsReport.number(s.ms());
    }

    private static String ortVersion() {
        try {
            return "ONNX Runtime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
        } catch (RuntimeException | LinkageError e) {   // no native library: the report still renders
            return "ONNX Runtime (version unknown: " + e.getMessage() + ")";
        }
    }

    private static final String PYTORCH = """
            PyTorch is not part of the build. Its figures come from Debian's python3-torch (1.13, oneDNN) and
            torchvision's VGG16 and ResNet50 (random weights; the time depends only on the shapes), 2 threads,
            224 x 224, the median of 20 calls at batch 1 and 10 at batch 8, and a training step at batch 8 with
            every layer trainable:

                apt-get install -y python3-torch python3-torchvision
                python3 benchmarks/pytorch_reference.py --threads 2

            It prints the same table rows as here (ms per batch), to read next to this run's Convey column; run it
            on the same, otherwise idle machine.
            """;
}
