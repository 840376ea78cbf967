package dev.convey.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

import org.openjdk.jmh.annotations.Param;

/**
 * The RESULTS.md section of the applications measured beside VGG16 and ResNet50 (every other model of
 * {@link InferenceBenchmark}'s list: the MobileNets, EfficientNetB0, DenseNet121 ...): inference at batch 1 and 8
 * and the frozen-base training step, with effective GFLOP/s (2 x the model's MACs per image, see
 * {@link Models#macsPerImage}) and the fraction of this run's sgemm peak. A model that did not run shows "-".
 */
final class ZooResults {

    private ZooResults() {
    }

    /** The models of InferenceBenchmark's {@code @Param} list that {@code reported} leaves out, in its order. */
    static List<String> models(List<String> reported) {
        try {
            String[] all = InferenceBenchmark.class.getField("model").getAnnotation(Param.class).value();
            List<String> out = new ArrayList<>(Arrays.asList(all));
            out.removeAll(reported);
            return out;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("InferenceBenchmark has no 'model' parameter", e);
        }
    }

    /**
     * The section for {@code models}; {@code macs} gives a model's MACs per 224 x 224 image, {@code peakGflops} the
     * in-run sgemm peak, {@code trainingBatch} the batch of TrainingBenchmark.
     */
    static String markdown(Scores scores, List<String> models, ToLongFunction<String> macs, double peakGflops,
                           int trainingBatch) {
        StringBuilder md = new StringBuilder("## The other applications, 224 x 224\n\n")
                .append("| model | GMAC / image | what | batch | ms | GFLOP/s | % of peak | x forward |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        String b = String.valueOf(trainingBatch);
        for (String model : models) {
            Scores.Score[] inference = {scores.get(ResultsReport.INFERENCE, "model", model, "batch", "1"),
                scores.get(ResultsReport.INFERENCE, "model", model, "batch", "8")};
            Scores.Score head = scores.get(ResultsReport.TRAIN_HEAD, "model", model, "batch", b);
            Scores.Score forward = scores.get(ResultsReport.TRAIN_FORWARD, "model", model, "batch", b);
            // The MACs need the model built: only for a model that ran.
            boolean ran = inference[0] != null || inference[1] != null || head != null;
            double gmac = ran ? macs.applyAsLong(model) / 1e9 : Double.NaN;
            row(md, model, gmac, "inference", "1", inference[0], null, peakGflops);
            row(md, model, gmac, "inference", "8", inference[1], null, peakGflops);
            row(md, model, gmac, "train new head, base frozen", b, head, forward, Double.NaN);
        }
        return md.append('\n').toString();
    }

    /** One row: time, effective GFLOP/s and % of peak (when {@code peak} is a number), ratio to {@code forward}. */
    private static void row(StringBuilder md, String model, double gmac, String what, String batch, Scores.Score s,
                            Scores.Score forward, double peak) {
        double gf = s == null || Double.isNaN(peak) ? Double.NaN
                : ResultsReport.gflops(2 * gmac * 1e9 * Integer.parseInt(batch), s.ms());
        double ratio = s == null || forward == null ? Double.NaN : s.ms() / forward.ms();
        md.append("| ").append(model).append(" | ").append(ResultsReport.number(gmac)).append(" | ").append(what)
                .append(" | ").append(batch).append(" | ").append(s == null ? "-" : ResultsReport.number(s.ms()))
                .append(" | ").append(ResultsReport.number(gf)).append(" | ").append(ResultsReport.number(100 * gf / peak))
                .append(" | ").append(ResultsReport.number(ratio)).append(" |\n");
    }
}
