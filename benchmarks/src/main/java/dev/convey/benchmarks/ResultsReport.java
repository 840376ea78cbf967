package dev.convey.benchmarks;

import dev.convey.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;


/**
 * Writes RESULTS.md: the machine, then every figure in milliseconds, effective GFLOP/s and as a fraction of the
 * in-run sgemm peak, and the targets with met/missed. FLOP conventions (1 MAC = 2 FLOP):
 * <pre>
 *   sgemm n x n        2 n^3
 *   inference          2 * MACs per image * batch      VGG16 15.47 GMAC, ResNet50 3.86 GMAC per 224x224 image
 *   training step      3 * the forward FLOPs           forward, then dL/dW and dL/dx (each as large)
 *   conv forward       2 * MACs, backward 4 * MACs
 * </pre>
 */
final class ResultsReport {

    static final double VGG16_GMAC = 15.47;
    static final double RESNET50_GMAC = 3.86;
    static final String GEMM = "GemmBenchmark.sgemm";
    static final String INFERENCE = "InferenceBenchmark.predict";
    static final String TRAIN_ALL = "TrainingBenchmark.trainAllLayers";
    static final String TRAIN_HEAD = "TrainingBenchmark.trainNewHead";
    static final String TRAIN_FORWARD = "TrainingBenchmark.forward";
    static final String COPY = "MemoryBandwidthBenchmark.copy";
    private static final String[] MODELS = {Models.VGG16_NAME, Models.RESNET50_NAME};
    private static final double MB = 1024.0 * 1024.0;
    private static final double GEMM_FLOPS = 2.0 * Math.pow(2048, 3);

    /**
     * Everything one run measured: {@code scores} every benchmark once (the peer comparison's first round among
     * them), {@code peerRounds} each round of the peer comparison (see {@link PeerComparison}),
     * {@code layerProfile} {@link LayerProfile}'s tables by kind of layer; the probes' and PyTorch's results are
     * null when they did not run.
     */
    record Run(boolean quick, String command, Scores scores, List<Scores> peerRounds,
               Map<ConvShape, List<String>> convShapes, Map<String, Long> transferMacsPerImage,
               Map<String, Long> denseWeightBytes, List<MemoryProbe.Result> memory, LoadTimeProbe.Result load,
               String layerProfile, PyTorchReference.Figures pytorch) {
    }

    private final Run run;
    private final StringBuilder md = new StringBuilder();
    private final List<String> targetRows = new ArrayList<>();
    private final double peakGflops;
    private final int trainingBatch;

    ResultsReport(Run run) {
        this.run = run;
        Scores.Score gemm = run.scores().get(GEMM, "n", "2048");
        // The peak is the fastest sgemm iteration: on a shared machine the mean would flatter everything else.
        this.peakGflops = gemm == null ? Double.NaN : gflops(GEMM_FLOPS, gemm.bestMs());
        this.trainingBatch = run.quick() ? 1 : 8;
    }

    /** The whole document. */
    String markdown() {
        String body = sections();
        StringBuilder doc = new StringBuilder();
        doc.append("# Convey benchmark results\n\n");
        doc.append(run.quick() ? "**QUICK mode** (1 fork, short iterations, batch 1 only): a smoke run, not the reference"
                + " figures; batch-8 targets are not measured and training is measured at batch 1.\n\n"
                : "Full run.\n\n");
        doc.append("Command: `").append(run.command()).append("`\n\n");
        doc.append(MachineSection.markdown()).append('\n');
        doc.append("## Targets\n\n| target | measured | goal | verdict |\n| --- | --- | --- | --- |\n");
        targetRows.forEach(doc::append);
        doc.append('\n').append(body);
        return doc.toString();
    }

    /** Writes the document to a temporary file beside {@code file}, then renames it into place. */
    void write(Path file) throws IOException {
        String markdown = markdown();
        AtomicFiles.write(file, temp -> Files.writeString(temp, markdown));
    }

    private String sections() {
        peak();
        inference();
        md.append(ApplicationsSection.markdown(run.scores(), peakGflops, copyBytesPerMs(), trainingBatch));
        md.append(PeerComparison.markdown(run.scores(), run.peerRounds(), run.pytorch(), (t, measured) -> target(t, measured, "")));
        training();
        convolutions();
        md.append(DepthwiseSection.markdown(run.scores(), copyBytesPerMs()));
        whereTheTimeGoes();
        layerProfile();
        memory();
        loading();
        return md.toString();
    }

    // ---------------------------------------------------------------- sections

    private void peak() {
        md.append("## Reference peak\n\n| benchmark | mean ms | GFLOP/s at the mean | fastest iteration ms | peak GFLOP/s |\n"
                + "| --- | --- | --- | --- | --- |\n");
        Scores.Score gemm = run.scores().get(GEMM, "n", "2048");
        md.append("| sgemm 2048 x 2048 x 2048 (2 n^3 FLOP) | ").append(ms(gemm)).append(" | ")
                .append(gemm == null ? "-" : number(gflops(GEMM_FLOPS, gemm.ms()))).append(" | ")
                .append(gemm == null ? "-" : number(gemm.bestMs())).append(" | ").append(number(peakGflops)).append(" |\n\n");
        md.append("Every \"% of peak\" below is effective GFLOP/s (at the mean time) divided by the peak, the fastest"
                + " sgemm iteration of this run. Effective: the FLOPs of the direct convolution, also where a 3x3"
                + " convolution runs as Winograd F(2x2, 3x3), which needs 4/9 of them; such a layer can pass 100 %.\n\n");
    }

    private void inference() {
        md.append("## Inference, 224 x 224, synthetic weights\n\n")
                .append("| model | batch | ms / batch | ms / image | GFLOP/s | % of peak |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        double[][] goals = {{70, 75}, {55, 60}};
        for (int m = 0; m < MODELS.length; m++) {
            double gmac = m == 0 ? VGG16_GMAC : RESNET50_GMAC;
            int[] batches = {1, 8};
            for (int b = 0; b < batches.length; b++) {
                int batch = batches[b];
                Scores.Score s = run.scores().get(INFERENCE, "model", MODELS[m], "batch", String.valueOf(batch));
                double gf = s == null ? Double.NaN : gflops(2 * gmac * 1e9 * batch, s.ms());
                md.append("| ").append(MODELS[m]).append(" | ").append(batch).append(" | ").append(ms(s)).append(" | ")
                        .append(s == null ? "-" : number(s.ms() / batch)).append(" | ").append(number(gf)).append(" | ")
                        .append(number(percentOfPeak(gf))).append(" |\n");
                target(Target.atLeast(MODELS[m] + " inference, batch " + batch, goals[m][b], "% of peak"),
                        percentOfPeak(gf), "");
            }
        }
        md.append("\nFLOPs: 2 x ").append(VGG16_GMAC).append(" GMAC (VGG16) or 2 x ").append(RESNET50_GMAC)
                .append(" GMAC (ResNet50) per image.\n\n");
    }

    private void training() {
        md.append("## Transfer learning, batch ").append(trainingBatch).append("\n\n")
                .append("Base without top (224 x 224, synthetic weights) + GlobalAveragePooling2D + Dense(10, softmax);"
                        + " one `fit` step (forward, loss, backward, SGD update) per operation.\n\n")
                .append("| model | what | ms | GFLOP/s | % of peak | x forward |\n| --- | --- | --- | --- | --- | --- |\n");
        String batch = String.valueOf(trainingBatch);
        for (String model : MODELS) {
            Long macs = run.transferMacsPerImage().get(model);
            double forwardFlops = macs == null ? Double.NaN : 2.0 * macs * trainingBatch;
            Scores.Score forward = run.scores().get(TRAIN_FORWARD, "model", model, "batch", batch);
            Scores.Score all = run.scores().get(TRAIN_ALL, "model", model, "batch", batch);
            Scores.Score head = run.scores().get(TRAIN_HEAD, "model", model, "batch", batch);
            trainingRow(model, "forward (inference)", forward, forwardFlops, forward);
            double allPercent = trainingRow(model, "train all layers (3 x forward FLOPs)", all, 3 * forwardFlops, forward);
            trainingRow(model, "train new head, base frozen", head, Double.NaN, forward);
            String note = run.quick() ? " (at batch 1)" : "";
            target(Target.atLeast(model + " training step, all layers trainable", 60, "% of peak"), allPercent, note);
            double ratio = head == null || forward == null ? Double.NaN : head.ms() / forward.ms();
            target(Target.atMost(model + " frozen-base step / forward", 1.1, "x"), ratio, note);
        }
        md.append("\nForward FLOPs per image of these models: ");
        for (String model : MODELS) {
            Long macs = run.transferMacsPerImage().get(model);
            md.append(model).append(" 2 x ").append(macs == null ? "-" : number(macs / 1e9)).append(" GMAC; ");
        }
        md.append("the frozen step's head costs next to nothing, so it is shown against the forward pass only.\n\n");
    }

    /** One row; returns the % of peak (NaN without FLOPs or score). */
    private double trainingRow(String model, String what, Scores.Score s, double flops, Scores.Score forward) {
        double gf = s == null ? Double.NaN : gflops(flops, s.ms());
        double ratio = s == null || forward == null ? Double.NaN : s.ms() / forward.ms();
        md.append("| ").append(model).append(" | ").append(what).append(" | ").append(ms(s)).append(" | ")
                .append(number(gf)).append(" | ").append(number(percentOfPeak(gf))).append(" | ").append(number(ratio))
                .append(" |\n");
        return percentOfPeak(gf);
    }

    private void convolutions() {
        md.append("## Convolutions, batch 1\n\n")
                .append("Input HxWxC-kernel,stride-padding-filters; forward = 2 x MACs, backward (dW and dx) = 4 x MACs.\n\n")
                .append("| shape | layers | GMAC | forward ms | GFLOP/s | % of peak | backward ms | GFLOP/s | % of peak |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map.Entry<ConvShape, List<String>> e : run.convShapes().entrySet()) {
            ConvShape shape = e.getKey();
            double macs = shape.forwardMacs();
            Scores.Score f = run.scores().get("ConvBenchmark.forward", "shape", shape.key());
            Scores.Score b = run.scores().get("ConvBenchmark.backward", "shape", shape.key());
            double fg = f == null ? Double.NaN : gflops(2 * macs, f.ms());
            double bg = b == null ? Double.NaN : gflops(4 * macs, b.ms());
            md.append("| ").append(shape.key()).append(" | ").append(layerList(e.getValue())).append(" | ")
                    .append(number(macs / 1e9)).append(" | ").append(ms(f)).append(" | ").append(number(fg)).append(" | ")
                    .append(number(percentOfPeak(fg))).append(" | ").append(ms(b)).append(" | ").append(number(bg))
                    .append(" | ").append(number(percentOfPeak(bg))).append(" |\n");
        }
        md.append('\n');
    }

    /** "vgg16/block3_conv2 (+1)": the first layer with this shape and how many others share it. */
    private static String layerList(List<String> layers) {
        return layers.get(0) + (layers.size() > 1 ? " (+" + (layers.size() - 1) + ")" : "");
    }

    /**
     * Two floors under each model's batch-1 time, from figures of this run: its convolutions alone, each at the
     * speed it has on its own (ConvBenchmark), and its dense layers' weights read once at the copy bandwidth.
     */
    private void whereTheTimeGoes() {
        double bytesPerMs = copyBytesPerMs();
        md.append("## Where the time goes, batch 1\n\n")
                .append("Memory bandwidth, both cores copying 256 MiB (`MemoryBandwidthBenchmark.copy`, fastest iteration,"
                        + " bytes read + written): ").append(number(bytesPerMs / 1e6)).append(" GB/s.\n\n")
                .append("| model | measured ms | its convolutions alone, at their own speed, ms | % of peak with nothing else"
                        + " | dense weights MB | their bytes at the copy bandwidth, ms |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        for (int m = 0; m < MODELS.length; m++) {
            String model = MODELS[m];
            double convMs = 0;
            for (Map.Entry<ConvShape, List<String>> e : run.convShapes().entrySet()) {
                Scores.Score f = run.scores().get("ConvBenchmark.forward", "shape", e.getKey().key());
                long layers = e.getValue().stream().filter(name -> name.startsWith(model + "/")).count();
                convMs += layers == 0 ? 0 : f == null ? Double.NaN : layers * f.ms();
            }
            Scores.Score measured = run.scores().get(INFERENCE, "model", model, "batch", "1");
            double gmac = m == 0 ? VGG16_GMAC : RESNET50_GMAC;
            Long denseBytes = run.denseWeightBytes() == null ? null : run.denseWeightBytes().get(model);
            md.append("| ").append(model).append(" | ").append(ms(measured)).append(" | ").append(number(convMs))
                    .append(" | ").append(number(percentOfPeak(gflops(2 * gmac * 1e9, convMs)))).append(" | ")
                    .append(denseBytes == null ? "-" : number(denseBytes / MB)).append(" | ")
                    .append(denseBytes == null ? "-" : number(denseBytes / bytesPerMs)).append(" |\n");
        }
        md.append('\n').append(WHY).append('\n');
    }

    /** This run's memory bandwidth: bytes read + written per ms by MemoryBandwidthBenchmark.copy (fastest iteration). */
    private double copyBytesPerMs() {
        Scores.Score copy = run.scores().get(COPY, "floats", String.valueOf(1 << 26));
        return copy == null ? Double.NaN : 2.0 * 4 * (1 << 26) / copy.bestMs();
    }

    /** How to read the figures against the targets; the numbers it refers to are all in this report. */
    private static final String WHY = """
            Why the speed targets can be missed, read with the tables above:

            - **Convolutions at the shapes of these networks.** In inference, 3x3 stride-1 convolutions (all of
              VGG16's but the RGB stem, 16 of ResNet50's 53) run as Winograd F(2x2, 3x3), 16 products with 4/9 of
              the direct multiply-adds; the others as im2col (or nothing, for 1x1 stride 1) and a product. The
              products are Convey's own packed-weight GEMM (`convey_gemm.h`: the weights packed once into the
              micro-kernel's panels, reused by every call), so what is left is the micro-kernel's efficiency at
              these shapes and the work around it: the transforms of Winograd at few channels, im2col of the RGB
              stems (3 input channels: 27 or 147 patch columns), and ResNet50's 7x7 and 14x14 maps at batch 1,
              whose products are short (49 or 196 rows). The "convolutions alone" column is the best a model can
              do if every other layer were free; the convolution table and the layer profile show each shape's
              own time.
            - **Dense layers at batch 1 are memory-bound.** VGG16's classifier multiplies one vector by 471 MB of
              weights: one multiply-add per 4 bytes read, so its time is the weights' bytes at the memory
              bandwidth (last column), not a fraction of the GEMM peak. At batch 8 each weight serves 8 images.
            - **Training adds memory-bound passes.** In inference each conv -> batch norm [-> add] [-> relu] chain
              runs as one convolution with the rest folded into its epilogue, but training needs every layer's own
              output: batch normalization (53 layers in ResNet50), ReLU and Add read and write every activation in
              the forward and backward passes, at the copy bandwidth, and backward does twice the forward's
              multiply-adds, through OpenBLAS (Winograd for 3x3 input gradients, and for weight gradients from 256
              channels). VGG16 has no batch norm, which is why its training step lands near its inference ratio
              and ResNet50's does not.
            - **Two cores, shared.** Each figure is the mean over JMH's iterations on a machine other jobs may use;
              the sgemm peak is its fastest iteration, so a noisy run lowers every ratio.
            """;

    /** {@link LayerProfile}'s tables: Convey's convolutions against ONNX Runtime's nodes, by kind of layer. */
    private void layerProfile() {
        md.append("## Where the time goes against ONNX Runtime, by kind of layer, batch 1\n\n");
        if (run.layerProfile() == null) {
            md.append("(not run)\n\n");
            return;
        }
        md.append("`LayerProfile --kinds` in a JVM of its own: per round, ONNX Runtime's whole model once with its profiler"
                + " on (per-node kernel times, a batch norm, Add or activation counted with the convolution it follows, as"
                + " both engines fuse them), then each of Convey's convolution and dense layers alone on an input of its"
                + " shape (timed at its second call), then Convey's whole model; medians over the rounds. Convey's"
                + " layers run without their fused epilogue here: its cost, with pooling and layout work, is in"
                + " \"everything else\". In one JVM the two engines' threads disturb each other (ONNX Runtime's spin"
                + " after each run), so the whole-model ratio here is worse than the peer table's; read the kinds'"
                + " ratios against each other.\n\n")
                .append(run.layerProfile().replaceAll("(?m)^### ", "### Layer profile: ").trim()).append("\n\n");
    }

    private void memory() {
        md.append("## Memory, inference at batch 1\n\n")
                .append("Each model in a fresh JVM (`MemoryProbe`): peak resident set (VmHWM of /proc/self/status: heap,"
                        + " tensors, native libraries and the JVM itself) and the resident set after each inference.\n\n")
                .append("| model | weights MB | JVM before model MB | after build MB | after 1st inference MB | after last"
                        + " MB | growth 2nd..last MB | inferences | peak MB |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        if (run.memory() == null || run.memory().isEmpty()) {
            md.append("| (not run) | | | | | | | | |\n\n");
            for (String model : MODELS) {
                Target t = memoryTarget(model, 0);
                targetRows.add("| " + t.what() + " | - | " + memoryGoal(model) + " | not measured |\n");
            }
            return;
        }
        for (MemoryProbe.Result r : run.memory()) {
            long[] rss = r.residentAfterInference();
            double growth = rss.length < 2 ? Double.NaN : (rss[rss.length - 1] - rss[1]) / MB;
            md.append("| ").append(r.model()).append(" | ").append(number(r.weightBytes() / MB)).append(" | ")
                    .append(number(r.residentBeforeModel() / MB)).append(" | ").append(number(r.residentAfterBuild() / MB))
                    .append(" | ").append(number(rss[0] / MB)).append(" | ").append(number(rss[rss.length - 1] / MB))
                    .append(" | ").append(number(growth)).append(" | ").append(rss.length).append(" | ")
                    .append(number(r.peakResident() / MB)).append(" |\n");
            target(memoryTarget(r.model(), r.weightBytes()), r.peakResident() / MB, "");
        }
        md.append("\nTargets: ").append(memoryGoal(Models.VGG16_NAME)).append(" (VGG16), ")
                .append(memoryGoal(Models.RESNET50_NAME)).append(" (ResNet50). Convey allocates its buffers in the first"
                        + " inference and reuses them; what the resident set gains after that is the JVM's young generation"
                        + " filling with small per-call objects (tens of KB an inference: buffer views, shapes, lambdas)"
                        + " until a collection, at most the young generation's size (see -Xmn).\n\n");
    }

    /** VGG16: peak < 1.3 x weight bytes + 300 MB; ResNet50: < 1.5 x weight bytes + 200 MB. */
    private static Target memoryTarget(String model, long weightBytes) {
        boolean vgg = model.equals(Models.VGG16_NAME);
        double goal = (vgg ? 1.3 : 1.5) * weightBytes / MB + (vgg ? 300 : 200);
        return Target.atMost(model + " peak resident memory, inference batch 1", goal, "MB");
    }

    private static String memoryGoal(String model) {
        return model.equals(Models.VGG16_NAME) ? "< 1.3 x weights + 300 MB" : "< 1.5 x weights + 200 MB";
    }

    private void loading() {
        md.append("## Loading the VGG16 weight file\n\n");
        Target target = Target.atMost("VGG16 .h5 load (528 MB, warm page cache)", 3, "s");
        LoadTimeProbe.Result r = run.load();
        if (r == null) {
            md.append("(not run)\n\n");
            target(target, Double.NaN, "");
            return;
        }
        double[] sorted = r.loadSeconds().clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        md.append("`LoadTimeProbe`: synthetic weights saved with `KerasWeights.save` (").append(number(r.fileBytes() / MB))
                .append(" MB in ").append(number(r.saveSeconds())).append(" s), then `KerasWeights.load` into the built"
                        + " model ").append(sorted.length).append(" times: ");
        for (double s : r.loadSeconds()) {
            md.append(number(s)).append(" s, ");
        }
        md.append("median ").append(number(median)).append(" s. `VGG16.create(weights=file)` (build + load): ")
                .append(number(r.createAndLoadSeconds())).append(" s.\n\n");
        target(target, median, " (median)");
    }

    // ---------------------------------------------------------------- helpers

    private void target(Target t, double measured, String note) {
        targetRows.add("| " + t.what() + note + " | " + (Double.isNaN(measured) ? "-" : t.format(measured)) + " | "
                + t.goalText() + " | " + t.verdict(measured) + " |\n");
    }

    private double percentOfPeak(double gflops) {
        return 100 * gflops / peakGflops;
    }

    static double gflops(double flops, double ms) {
        return flops / (ms / 1000) / 1e9;
    }

    private static String ms(Scores.Score s) {
        return s == null ? "-" : Double.isNaN(s.error()) ? number(s.ms()) : number(s.ms()) + " ± " + number(s.error());
    }

    /** Three significant digits or so; "-" for a missing value. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        double a = Math.abs(v);
        String format = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, format, v);
    }
}
