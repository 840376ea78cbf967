package dev.convey.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import com.google.gson.Gson;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import dev.convey.tensor.Parallel;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the whole suite and writes RESULTS.md:
 * <pre>
 *   mvn -o -B package -pl benchmarks -am -DskipTests
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.RunAll            # full, about 45 min on 2 cores
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.RunAll --quick    # smoke run, a few minutes
 * </pre>
 * 1. the JMH benchmarks, each in a forked JVM as JMH does, in passes: the engine's own (sgemm, memory bandwidth,
 * each convolution shape of VGG16 and ResNet50 and depthwise shape of MobileNetV2 and EfficientNetB0, at 2 warm-up
 * and 3 measured iterations of 1 s), the peer comparison of the models with a target ({@link PeerComparison},
 * {@code --peer-rounds} rounds of Convey and ONNX Runtime in turn), the rest of the zoo's inference, and the
 * training steps; the models without a target run brief iterations (1 warm-up and 2 measured iterations of 1 s);
 * 2. {@link MemoryProbe} for VGG16 and ResNet50 and {@link LoadTimeProbe}, each in a JVM of its own;
 * 3. PyTorch's figures ({@link PyTorchReference}) where python3 has torch; 4. {@link ResultsReport}.
 */
@Command(name = "RunAll", mixinStandardHelpOptions = true,
        description = "Runs Convey's benchmark suite (JMH benchmarks, memory and weight-loading probes, PyTorch's"
                + " reference figures if torch is installed) and writes RESULTS.md.")
public final class RunAll implements Callable<Integer> {

    @Option(names = "--quick", description = "1 fork, 1 warm-up and 2 measured iterations of 0.3 s, batch 1 only, one"
            + " peer round, fewer probe repetitions, no PyTorch: a smoke run of a few minutes. Default: the full run.")
    boolean quick;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the report (default: benchmarks/RESULTS.md"
            + " when run from the repository root, else RESULTS.md).")
    Path out;

    @Option(names = "--include", paramLabel = "REGEX", description = "Only the JMH benchmarks matching this regular"
            + " expression, e.g. 'Inference|Gemm' (default: all). The report shows '-' for the others.")
    String include = "dev\\.convey\\.benchmarks\\..*Benchmark\\..*";

    @Option(names = "--no-probes", description = "Skip the memory and weight-loading probes.")
    boolean noProbes;

    @Option(names = "--peer-rounds", paramLabel = "N", description = "Rounds of the peer comparison of the models with"
            + " a target (default: ${DEFAULT-VALUE}; 1 with --quick).")
    int peerRounds = 3;

    @Option(names = "--python", paramLabel = "PATH", description = "The Python that runs benchmarks/pytorch_reference.py"
            + " (default: ${DEFAULT-VALUE}); '' skips PyTorch.")
    String python = "/usr/bin/python3";

    private static final String GEMM = "GemmBenchmark.sgemm";
    private static final String INFERENCE = "InferenceBenchmark.predict";
    private static final String ORT = "OrtInferenceBenchmark.predict";
    private static final String TRAIN_ALL = "TrainingBenchmark.trainAllLayers";
    private static final String TRAIN_HEAD = "TrainingBenchmark.trainNewHead";
    private static final String TRAIN_FORWARD = "TrainingBenchmark.forward";
    /** The convolution benchmarks, one layer shape each (the depthwise ones on the default kernel, as reported). */
    private static final List<String> LAYERS = List.of("ConvBenchmark.forward", "ConvBenchmark.backward",
            "DepthwiseBenchmark.*");
    /** The models whose training step, every layer trainable, has a target (against the peak and PyTorch). */
    private static final List<String> TRAINING_TARGET_MODELS = List.of(Models.VGG16_NAME, Models.RESNET50_NAME);

    /** JVM options of the probe processes: a small heap (tensors live outside it) and room for direct buffers. */
    private static final List<String> PROBE_JVM_OPTIONS = List.of("-Xmx1g", "-XX:MaxDirectMemorySize=8g");
    /** The layer profile's: ONNX Runtime beside Convey, as OrtInferenceBenchmark's forks have. */
    private static final List<String> PROFILE_JVM_OPTIONS = List.of("-Xmx4g", "-XX:MaxDirectMemorySize=8g");

    public static void main(String[] args) {
        System.exit(new CommandLine(new RunAll()).execute(args));
    }

    /**
     * How long a pass's iterations are: the benchmarks' own settings; those of the sgemm peak, which every figure
     * is a fraction of, kept (with 1 fork) even in a smoke run; the single layers' (2 warm-up and 3 measured
     * iterations of 1 s); the peer rounds' (2 and 3 of 2 s); brief ones (1 and 2 of 1 s). {@code --quick} shortens
     * all but the peak.
     */
    private enum Settings { OWN, PEAK, LAYER, PEER, BRIEF }

    @Override
    public Integer call() throws RunnerException, IOException, InterruptedException {
        List<String> targetModels = List.of(PeerComparison.TARGET_MODELS);
        List<String> otherModels = new ArrayList<>(ApplicationsSection.models());
        otherModels.removeAll(targetModels);
        List<String> otherPeers = new ArrayList<>(List.of(PeerComparison.MODELS));
        otherPeers.removeAll(targetModels);

        List<RunResult> results = new ArrayList<>();
        results.addAll(pass(List.of(GEMM), null, Settings.PEAK));
        results.addAll(pass(List.of("MemoryBandwidthBenchmark.copy"), null, Settings.OWN));
        results.addAll(pass(LAYERS, null, Settings.LAYER));
        List<Scores> rounds = new ArrayList<>();
        for (int r = 0; r < (quick ? 1 : peerRounds); r++) {
            System.out.println("# Peer round " + (r + 1));
            List<RunResult> round = pass(List.of(INFERENCE, ORT), targetModels, Settings.PEER);
            if (r == 0) {
                results.addAll(round);
            }
            rounds.add(new Scores(round));
        }
        results.addAll(pass(List.of(INFERENCE), otherModels, Settings.BRIEF));
        results.addAll(pass(List.of(ORT), otherPeers, Settings.BRIEF));
        results.addAll(pass(List.of(TRAIN_ALL), TRAINING_TARGET_MODELS, Settings.OWN));
        results.addAll(pass(List.of(TRAIN_HEAD, TRAIN_FORWARD), targetModels, Settings.OWN));
        results.addAll(pass(List.of(TRAIN_HEAD, TRAIN_FORWARD), otherModels, Settings.BRIEF));

        List<MemoryProbe.Result> memory = new ArrayList<>();
        LoadTimeProbe.Result load = null;
        if (!noProbes) {
            int runs = quick ? 5 : 1000;   // the bar: no growth over 1000 inferences
            for (String model : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME}) {
                memory.add(probe(MemoryProbe.class, MemoryProbe.Result.class, model, String.valueOf(runs)));
            }
            load = probe(LoadTimeProbe.class, LoadTimeProbe.Result.class, String.valueOf(quick ? 3 : 5));
        }
        String layerProfile = null;
        if (!noProbes) {
            List<String> profileArgs = new ArrayList<>(List.of("--kinds", quick ? "2" : "9"));
            profileArgs.addAll(targetModels);
            layerProfile = markdownProbe(LayerProfile.class, profileArgs.toArray(new String[0]));
        }
        PyTorchReference.Figures pytorch = quick || python.isEmpty() ? null
                : PyTorchReference.run(Paths.get("benchmarks", "pytorch_reference.py"), python, Parallel.threads());
        Map<String, Long> transferMacs = new LinkedHashMap<>();
        for (String model : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME}) {
            transferMacs.put(model, Models.macsPerImage(Models.withNewHead(model, true, false)));
        }
        Map<String, Long> denseBytes = new LinkedHashMap<>();
        for (String model : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME}) {
            denseBytes.put(model, Models.denseWeightBytes(Models.classifier(model, false)));
        }
        ResultsReport.Run run = new ResultsReport.Run(quick, command(), new Scores(results), rounds,
                ConvShape.ofModels(), transferMacs, denseBytes, memory, load, layerProfile, pytorch);
        Path file = out != null ? out : Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks", "RESULTS.md")
                : Paths.get("RESULTS.md");
        new ResultsReport(run).write(file);
        System.out.println("Wrote " + file.toAbsolutePath());
        return 0;
    }

    /**
     * One JMH run of those {@code benchmarks} ("Class.method" patterns) that {@code --include} selects, for
     * {@code models} (null: every model the benchmarks declare), at the given settings; nothing if none is selected.
     */
    private List<RunResult> pass(List<String> benchmarks, List<String> models, Settings settings) throws RunnerException {
        Pattern selected = Pattern.compile(include);
        ChainedOptionsBuilder options = new OptionsBuilder();
        boolean any = false;
        for (String b : benchmarks) {
            String full = "dev.convey.benchmarks." + b;
            // A pattern such as DepthwiseBenchmark.* is selected when --include finds its class in it.
            if (selected.matcher(full).find() || selected.matcher(full.replace(".*", "")).find()) {
                options.include("^" + full.replace(".", "\\.").replace("\\.*", "\\..*") + "$");
                any = true;
            }
        }
        if (!any || models != null && models.isEmpty()) {
            return List.of();
        }
        if (models != null) {
            options.param("model", models.toArray(new String[0]));
        }
        options.param("path", "strips");   // DepthwiseBenchmark's default kernel: the one the report shows
        if (quick && settings == Settings.PEAK) {
            options.forks(1);
        } else if (quick) {
            options.forks(1).warmupIterations(1).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(300)).param("batch", "1");
        } else if (settings == Settings.LAYER) {
            options.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        } else if (settings == Settings.PEER) {
            options.warmupIterations(2).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(2));
        } else if (settings == Settings.BRIEF) {
            options.warmupIterations(1).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(2).measurementTime(TimeValue.seconds(1));
        }
        return new ArrayList<>(new Runner(options.build()).run());
    }

    private String command() {
        StringBuilder s = new StringBuilder("java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.RunAll");
        if (quick) {
            s.append(" --quick");
        }
        if (!include.equals(new RunAll().include)) {
            s.append(" --include '").append(include).append('\'');
        }
        if (noProbes) {
            s.append(" --no-probes");
        }
        if (peerRounds != new RunAll().peerRounds) {
            s.append(" --peer-rounds ").append(peerRounds);
        }
        if (!python.equals(new RunAll().python)) {
            s.append(" --python '").append(python).append('\'');
        }
        return s.toString();
    }

    /** Runs {@code main} of a probe in a new JVM with this class path; its last output line is its JSON result. */
    private static <T> T probe(Class<?> main, Class<T> resultType, String... args) throws IOException, InterruptedException {
        String output = probeOutput(main, PROBE_JVM_OPTIONS, args);
        String last = output.substring(output.lastIndexOf('\n') + 1);
        if (!last.startsWith("{")) {
            throw new IllegalStateException(main.getSimpleName() + " " + String.join(" ", args)
                    + " printed no JSON result; its output:\n" + output);
        }
        System.out.println(last);
        return new Gson().fromJson(last, resultType);
    }

    /** Runs {@code main} of a probe that prints markdown in a new JVM; its output from its first heading on. */
    private static String markdownProbe(Class<?> main, String... args) throws IOException, InterruptedException {
        String output = probeOutput(main, PROFILE_JVM_OPTIONS, args);
        int heading = output.indexOf("### ");
        if (heading < 0) {
            throw new IllegalStateException(main.getSimpleName() + " " + String.join(" ", args)
                    + " printed no markdown heading; its output:\n" + output);
        }
        System.out.println(output.substring(heading));
        return output.substring(heading);
    }

    /** The standard output of {@code main} run in a new JVM with this class path; fails unless it exits with 0. */
    private static String probeOutput(Class<?> main, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        System.out.println("# Probe: " + main.getSimpleName() + " " + String.join(" ", args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(main.getSimpleName() + " " + String.join(" ", args) + " failed (exit code "
                    + exit + "); its output:\n" + output);
        }
        return output;
    }
}
