package dev.convey.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PyTorch's figures in the same run, from {@code benchmarks/pytorch_reference.py} (not part of the build: Debian's
 * python3-torch and python3-torchvision, when the machine has them). The script prints markdown rows
 * {@code | model | what | batch | median ms | min ms |} after a line naming the torch version; this class runs it
 * in a process of its own, after the JMH runs, and reads those rows back.
 */
final class PyTorchReference {

    /** The script's rows by "model | what | batch" (e.g. "resnet50 | train step, all layers | 8"), and its first line. */
    record Figures(String version, Map<String, double[]> medianAndMinMs) {

        /** The median ms of a row, NaN if the script printed no such row. */
        double medianMs(String model, String what, int batch) {
            double[] row = medianAndMinMs.get(model + " | " + what + " | " + batch);
            return row == null ? Double.NaN : row[0];
        }
    }

    static final String INFERENCE = "inference";
    static final String TRAIN_STEP = "train step, all layers";
    /** Longer than the script takes on 2 busy cores (a few minutes): a hung interpreter must not hang the suite. */
    private static final long TIMEOUT_MINUTES = 30;

    private PyTorchReference() {
    }

    /**
     * Runs the script with {@code python} and {@code threads} intra-op threads; null, with the reason on standard
     * output, when the script or the interpreter with torch is missing (the report then says how to run it by hand).
     */
    static Figures run(Path script, String python, int threads) throws IOException, InterruptedException {
        if (!Files.isRegularFile(script)) {
            System.out.println("# PyTorch: no " + script + " here (run RunAll from the repository root); skipped");
            return null;
        }
        List<String> command = List.of(python, script.toString(), "--threads", String.valueOf(threads));
        System.out.println("# PyTorch: " + String.join(" ", command));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            System.out.println("# PyTorch: cannot start " + python + " (" + e.getMessage() + "); skipped");
            return null;
        }
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            System.out.println("# PyTorch: " + script + " ran longer than " + TIMEOUT_MINUTES + " min; skipped");
            return null;
        }
        System.out.print(output);
        if (process.exitValue() != 0) {
            System.out.println("# PyTorch: " + script + " exited with " + process.exitValue()
                    + " (no torch for " + python + "?); skipped");
            return null;
        }
        return parse(output);
    }

    /** The figures of the script's output; rows that are not "| text | text | int | number | number |" are ignored. */
    static Figures parse(String output) {
        String version = null;
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            line = line.trim();
            if (version == null && line.startsWith("torch ")) {
                version = line;
            }
            List<String> cells = cells(line);
            if (cells.size() != 5) {
                continue;
            }
            try {
                int batch = Integer.parseInt(cells.get(2));
                double[] ms = {Double.parseDouble(cells.get(3)), Double.parseDouble(cells.get(4))};
                rows.put(cells.get(0) + " | " + cells.get(1) + " | " + batch, ms);
            } catch (NumberFormatException e) {
                // the header and the separator row
            }
        }
        return new Figures(version == null ? "torch (version not printed)" : version, rows);
    }

    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        if (!line.startsWith("|") || !line.endsWith("|") || line.length() < 2) {
            return cells;
        }
        for (String cell : line.substring(1, line.length() - 1).split("\\|", -1)) {
            cells.add(cell.trim());
        }
        return cells;
    }
}
