package dev.convey.benchmarks;

import java.util.List;

import org.openjdk.jmh.annotations.Param;

import dev.convey.models.Model;

/**
 * The RESULTS.md section of every application the suite measures (the model lists of {@link InferenceBenchmark}
 * and {@link TrainingBenchmark}): inference at batch 1 and 8 at the application's default input size, and the
 * frozen-base training step at 224 x 224, with GFLOP/s and the fraction of the in-run sgemm peak, and, for the
 * memory-bound models (the depthwise-heavy MobileNets and EfficientNets above all), the fraction of the memory
 * bandwidth. FLOPs: 2 x the multiply-accumulates of {@link Models#macsPerImage} (convolutions, separable and
 * depthwise ones included, and dense layers), computed from the models themselves. The bandwidth floor: the bytes
 * of {@link Models#activationBytesPerImage} for each image of the batch and {@link Models#weightBytes} once, at
 * this run's copy bandwidth; "% of bandwidth" is that floor over the measured time (100 % would be a model that
 * only streams its activations and weights through memory once).
 */
final class ApplicationsSection {

    private ApplicationsSection() {
    }

    /** The section; VGG16 and ResNet50 (their own sections) and models without any score are left out. */
    static String markdown(Scores scores, double peakGflops, double bytesPerMs, int trainingBatch) {
        StringBuilder md = new StringBuilder("## Every application\n\n")
                .append("Inference of the ImageNet classifier (synthetic or Keras-initialised weights, default input size)"
                        + " and the frozen-base transfer-learning step (base at 224 x 224 + GlobalAveragePooling2D +"
                        + " Dense(10), batch ").append(trainingBatch).append("). % of peak: GFLOP/s at the mean time over"
                        + " the fastest sgemm iteration of this run. % of bandwidth: the time the model's activations (each"
                        + " convolution's and dense layer's input and output once) and weights take at the copy"
                        + " bandwidth, over the measured time. VGG16 and ResNet50: see their sections.\n\n")
                .append("| model | input | GMAC / image | batch 1 ms | batch 1 GFLOP/s (% of peak) | batch 1 % of bandwidth"
                        + " | batch 8 ms | batch 8 GFLOP/s (% of peak) | batch 8 % of bandwidth | frozen-base step ms"
                        + " | x forward |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        String training = String.valueOf(trainingBatch);
        for (String model : models()) {
            Scores.Score b1 = scores.get(ResultsReport.INFERENCE, "model", model, "batch", "1");
            Scores.Score b8 = scores.get(ResultsReport.INFERENCE, "model", model, "batch", "8");
            Scores.Score head = scores.get(ResultsReport.TRAIN_HEAD, "model", model, "batch", training);
            Scores.Score forward = scores.get(ResultsReport.TRAIN_FORWARD, "model", model, "batch", training);
            boolean above = model.equals(Models.VGG16_NAME) || model.equals(Models.RESNET50_NAME);
            if (above || b1 == null && b8 == null && head == null) {
                continue;
            }
            Model classifier = Models.classifier(model, false);
            int[] hwc = classifier.input().shape();
            double macs = Models.macsPerImage(classifier);
            Traffic traffic = new Traffic(Models.activationBytesPerImage(classifier), Models.weightBytes(classifier),
                    bytesPerMs);
            md.append("| ").append(model).append(" | ").append(hwc[0]).append(" x ").append(hwc[1]).append(" | ")
                    .append(ResultsReport.number(macs / 1e9)).append(" | ")
                    .append(inference(b1, macs, 1, peakGflops, traffic)).append(" | ")
                    .append(inference(b8, macs, 8, peakGflops, traffic)).append(" | ")
                    .append(head == null ? "-" : ResultsReport.number(head.ms())).append(" | ")
                    .append(head == null || forward == null ? "-" : ResultsReport.number(head.ms() / forward.ms()))
                    .append(" |\n");
        }
        return md.append('\n').toString();
    }

    /** A model's bytes moved at least per image and per batch, and the copy bandwidth in bytes per ms. */
    private record Traffic(long activationBytesPerImage, long weightBytes, double bytesPerMs) {

        /** Milliseconds to move a batch's bytes once at the copy bandwidth. */
        double floorMs(int batch) {
            return (batch * (double) activationBytesPerImage + weightBytes) / bytesPerMs;
        }
    }

    /** "ms | GFLOP/s (percent of peak) | percent of bandwidth" of one inference score. */
    private static String inference(Scores.Score s, double macs, int batch, double peakGflops, Traffic traffic) {
        if (s == null) {
            return "- | - | -";
        }
        double gf = ResultsReport.gflops(2 * macs * batch, s.ms());
        return ResultsReport.number(s.ms()) + " | " + ResultsReport.number(gf) + " ("
                + ResultsReport.number(100 * gf / peakGflops) + " %) | "
                + ResultsReport.number(100 * traffic.floorMs(batch) / s.ms()) + " %";
    }

    /** InferenceBenchmark's {@code model} parameter values: the models the suite measures. */
    static List<String> models() {
        try {
            return List.of(InferenceBenchmark.class.getField("model").getAnnotation(Param.class).value());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("InferenceBenchmark has no public field 'model'", e);
        }
    }
}
