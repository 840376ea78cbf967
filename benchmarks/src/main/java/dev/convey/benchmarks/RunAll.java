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

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the whole suite and writes RESULTS.md:
 * <pre>
 *   mvn -o -B package -pl benchmarks -am -DskipTests
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.RunAll            # full, 25-35 min on 2 cores
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.RunAll --quick    # smoke run, a few minutes
 * </pre>
 * 1. the JMH benchmarks (each in forked JVMs, as JMH does); 2. {@link MemoryProbe} for VGG16 and ResNet50 and
 * {@link LoadTimeProbe}, each in a JVM of its own; 3. {@link ResultsReport}.
 */
@Command(name = "RunAll", mixinStandardHelpOptions = true,
        description = "Runs Convey's benchmark suite (JMH benchmarks, memory and weight-loading probes) and writes RESULTS.md.")
public final class RunAll implements Callable<Integer> {

    @Option(names = "--quick", description = "1 fork, 1 warm-up and 2 measured iterations of 0.3 s, batch 1 only, fewer"
            + " probe repetitions: a smoke run of a few minutes. Default: the full run.")
    boolean quick;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the report (default: benchmarks/RESULTS.md"
            + " when run from the repository root, else RESULTS.md).")
    Path out;

    @Option(names = "--include", paramLabel = "REGEX", description = "Only the JMH benchmarks matching this regular"
            + " expression, e.g. 'Inference|Gemm' (default: all). The report shows '-' for the others.")
    String include = "dev\\.convey\\.benchmarks\\..*Benchmark\\..*";

    @Option(names = "--no-probes", description = "Skip the memory and weight-loading probes.")
    boolean noProbes;

    private static final String GEMM = "GemmBenchmark";

    /** JVM options of the probe processes: a small heap (tensors live outside it) and room for direct buffers. */
    private static final List<String> PROBE_JVM_OPTIONS = List.of("-Xmx1g", "-XX:MaxDirectMemorySize=8g");

    public static void main(String[] args) {
        System.exit(new CommandLine(new RunAll()).execute(args));
    }

    @Override
    public Integer call() throws RunnerException, IOException, InterruptedException {
        List<RunResult> results = new ArrayList<>();
        if (quick && Pattern.compile(include).matcher(GemmBenchmark.class.getName() + ".sgemm").find()) {
            // Every figure is a fraction of the sgemm peak: even a smoke run measures it with its full settings (1 fork).
            results.addAll(new Runner(new OptionsBuilder().include(GEMM).forks(1).build()).run());
        }
        results.addAll(new Runner(jmhOptions().build()).run());
        List<MemoryProbe.Result> memory = new ArrayList<>();
        LoadTimeProbe.Result load = null;
        if (!noProbes) {
            int runs = quick ? 5 : 1000;   // the bar: no growth over 1000 inferences
            for (String model : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME}) {
                memory.add(probe(MemoryProbe.class, MemoryProbe.Result.class, model, String.valueOf(runs)));
            }
            load = probe(LoadTimeProbe.class, LoadTimeProbe.Result.class, String.valueOf(quick ? 3 : 5));
        }
        Map<String, Long> transferMacs = new LinkedHashMap<>();
        for (String model : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME}) {
            transferMacs.put(model, Models.macsPerImage(Models.withNewHead(model, true, false)));
        }
        Map<String, Long> denseBytes = new LinkedHashMap<>();
        for (String model : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME}) {
            denseBytes.put(model, Models.denseWeightBytes(Models.classifier(model, false)));
        }
        ResultsReport.Run run = new ResultsReport.Run(quick, command(), new Scores(results), ConvShape.ofModels(),
                transferMacs, denseBytes, memory, load);
        Path file = out != null ? out : Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks", "RESULTS.md")
                : Paths.get("RESULTS.md");
        new ResultsReport(run).write(file);
        System.out.println("Wrote " + file.toAbsolutePath());
        return 0;
    }

    private ChainedOptionsBuilder jmhOptions() {
        ChainedOptionsBuilder options = new OptionsBuilder().include(include);
        if (quick) {
            options.exclude(GEMM).forks(1)
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(300))
                    .param("batch", "1");
        }
        return options;
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
        return s.toString();
    }

    /** Runs {@code main} of a probe in a new JVM with this class path; its last output line is its JSON result. */
    private static <T> T probe(Class<?> main, Class<T> resultType, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(PROBE_JVM_OPTIONS);
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
        String last = output.substring(output.lastIndexOf('\n') + 1);
        if (exit != 0 || !last.startsWith("{")) {
            throw new IllegalStateException(main.getSimpleName() + " " + String.join(" ", args) + " failed (exit code "
                    + exit + "); its output:\n" + output);
        }
        System.out.println(last);
        return new Gson().fromJson(last, resultType);
    }
}
