package dev.convey.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The RESULTS.md section comparing Convey with its peers in the same run: ONNX Runtime's inference per model and
 * batch, and PyTorch's inference and training step where {@link PyTorchReference} could run. The models with a
 * ratio target (issue 14: Convey at most 0.85 x the peer's time) are measured in several rounds, each a JMH run of
 * Convey and ONNX Runtime in turn; the verdict reads the median round, and the table shows every round.
 */
final class PeerComparison {

    static final String ORT_INFERENCE = "OrtInferenceBenchmark.predict";
    /** Issue 14: Convey at most 0.85 x ONNX Runtime's (and PyTorch's training step's) time. */
    static final double TARGET_RATIO = 0.85;
    /** The models with a ratio target, measured in {@code rounds}. */
    static final String[] TARGET_MODELS = {Models.VGG16_NAME, Models.RESNET50_NAME, Models.MOBILENET_V2_NAME,
        Models.EFFICIENTNET_B0_NAME};
    /** Every model of the table: the target models, then two more measured once. */
    static final String[] MODELS = {Models.VGG16_NAME, Models.RESNET50_NAME, Models.MOBILENET_V2_NAME,
        Models.EFFICIENTNET_B0_NAME, Models.MOBILENET_NAME, Models.DENSENET121_NAME};
    /** The models pytorch_reference.py measures. */
    private static final String[] PYTORCH_MODELS = {Models.VGG16_NAME, Models.RESNET50_NAME};

    private PeerComparison() {
    }

    /**
     * The section. {@code scores} holds the run's single figures (the other models', and Convey's training step);
     * {@code rounds} the target models' rounds (none: their figures are in {@code scores} too); {@code pytorch} may
     * be null. {@code target} receives each ratio target with its measured value (NaN if not run).
     */
    static String markdown(Scores scores, List<Scores> rounds, PyTorchReference.Figures pytorch,
                           BiConsumer<Target, Double> target) {
        List<Scores> targetRounds = rounds.isEmpty() ? List.of(scores) : rounds;
        StringBuilder md = new StringBuilder("## Convey and its peers, in the same run\n\n")
                .append("ONNX Runtime runs Convey's ONNX export of the same models, weights and images"
                        + " (`OrtInferenceBenchmark`: intra-op threads = Convey's threads, sequential execution, all"
                        + " graph optimisations; ").append(ortVersion()).append("), each benchmark in a JVM of its own."
                        + " MobileNet and MobileNetV2 (alpha 1, 224 x 224) keep Keras' random initialisation;"
                        + " EfficientNetB0 and DenseNet121 have the synthetic weights. The models with a target ran in ")
                .append(targetRounds.size()).append(targetRounds.size() == 1 ? " round" : " rounds")
                .append(" (Convey, then ONNX Runtime, per round); ms per batch are JMH means, one per round; the verdict"
                        + " reads the median of the rounds' ratios.\n\n")
                .append("| model | batch | Convey ms / batch | ONNX Runtime ms / batch | Convey / ONNX Runtime | median"
                        + " | PyTorch ms / batch |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (String model : MODELS) {
            List<Scores> from = Arrays.asList(TARGET_MODELS).contains(model) ? targetRounds : List.of(scores);
            for (String batch : new String[] {"1", "8"}) {
                List<Double> convey = new ArrayList<>();
                List<Double> ort = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                for (Scores round : from) {
                    Scores.Score c = round.get(ResultsReport.INFERENCE, "model", model, "batch", batch);
                    Scores.Score o = round.get(ORT_INFERENCE, "model", model, "batch", batch);
                    convey.add(c == null ? Double.NaN : c.ms());
                    ort.add(o == null ? Double.NaN : o.ms());
                    ratios.add(ratio(c, o));
                }
                double median = median(ratios);
                double torch = pytorch == null ? Double.NaN
                        : pytorch.medianMs(model, PyTorchReference.INFERENCE, Integer.parseInt(batch));
                md.append("| ").append(model).append(" | ").append(batch).append(" | ").append(joined(convey))
                        .append(" | ").append(joined(ort)).append(" | ").append(joined(ratios)).append(" | ")
                        .append(ResultsReport.number(median)).append(" | ").append(ResultsReport.number(torch))
                        .append(" |\n");
                if (hasTarget(model, batch)) {
                    target.accept(Target.atMost(model + " inference, batch " + batch + ", Convey / ONNX Runtime"
                            + spread(ratios), TARGET_RATIO, "x"), median);
                }
            }
        }
        md.append('\n').append(training(scores, pytorch, target)).append('\n');
        return md.toString();
    }

    /** Convey's training step with every layer trainable against PyTorch's, batch 8. */
    private static String training(Scores scores, PyTorchReference.Figures pytorch, BiConsumer<Target, Double> target) {
        StringBuilder md = new StringBuilder("### Training step, batch 8, all layers trainable, against PyTorch\n\n");
        md.append(pytorch == null ? PYTORCH_BY_HAND : "PyTorch: " + pytorch.version() + "; " + PYTORCH_HOW)
                .append("\n\n| model | Convey ms | PyTorch ms (median) | Convey / PyTorch |\n| --- | --- | --- | --- |\n");
        for (String model : PYTORCH_MODELS) {
            Scores.Score convey = scores.get(ResultsReport.TRAIN_ALL, "model", model, "batch", "8");
            double torch = pytorch == null ? Double.NaN : pytorch.medianMs(model, PyTorchReference.TRAIN_STEP, 8);
            double ratio = convey == null ? Double.NaN : convey.ms() / torch;
            md.append("| ").append(model).append(" | ").append(convey == null ? "-" : ResultsReport.number(convey.ms()))
                    .append(" | ").append(ResultsReport.number(torch)).append(" | ").append(ResultsReport.number(ratio))
                    .append(" |\n");
            target.accept(Target.atMost(model + " training step, batch 8, Convey / PyTorch", TARGET_RATIO, "x"), ratio);
        }
        return md.toString();
    }

    /** Issue 14's ratio targets: VGG16 and ResNet50 at batch 1 and 8, MobileNetV2 and EfficientNetB0 at batch 1. */
    static boolean hasTarget(String model, String batch) {
        return model.equals(Models.VGG16_NAME) || model.equals(Models.RESNET50_NAME)
                || (model.equals(Models.MOBILENET_V2_NAME) || model.equals(Models.EFFICIENTNET_B0_NAME))
                && batch.equals("1");
    }

    /** Convey's mean time over ONNX Runtime's, NaN unless both ran. */
    static double ratio(Scores.Score convey, Scores.Score ort) {
        return convey == null || ort == null ? Double.NaN : convey.ms() / ort.ms();
    }

    /** The median of the values that are not NaN (the mean of the middle two for an even count); NaN if none. */
    static double median(List<Double> values) {
        double[] v = values.stream().filter(x -> !Double.isNaN(x)).mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** " (rounds 0.80-0.95)" for more than one measured round, else "". */
    private static String spread(List<Double> ratios) {
        double[] v = ratios.stream().filter(x -> !Double.isNaN(x)).mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length < 2 ? "" : " (rounds " + ResultsReport.number(v[0]) + "-" + ResultsReport.number(v[v.length - 1]) + ")";
    }

    /** "1.00 / 2.00 / 3.00", "-" for a value not measured. */
    private static String joined(List<Double> values) {
        StringBuilder s = new StringBuilder();
        for (double v : values) {
            s.append(s.length() == 0 ? "" : " / ").append(ResultsReport.number(v));
        }
        return s.toString();
    }

    private static String ortVersion() {
        try {
            return "ONNX Runtime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
        } catch (RuntimeException | LinkageError e) {   // no native library: the report still renders
            return "ONNX Runtime (version unknown: " + e.getMessage() + ")";
        }
    }

    private static final String PYTORCH_HOW = "`benchmarks/pytorch_reference.py` run by RunAll after the JMH runs, 2"
            + " threads: torchvision's VGG16 and ResNet50 (random weights; the time depends only on the shapes),"
            + " 224 x 224, the median of 20 calls at batch 1 and 10 at batch 8, and of 5 training steps (base + global"
            + " average pooling + Linear(., 10), cross-entropy, backward, SGD) at batch 8.";

    private static final String PYTORCH_BY_HAND = """
            PyTorch did not run in this run (RunAll runs it when `python3` has torch and torchvision). It is not part
            of the build; its figures come from Debian's python3-torch (1.13, oneDNN):

                apt-get install -y python3-torch python3-torchvision
                python3 benchmarks/pytorch_reference.py --threads 2

            which prints the same rows (ms per batch), to read next to this run's Convey column on the same,
            otherwise idle machine.""";
}
