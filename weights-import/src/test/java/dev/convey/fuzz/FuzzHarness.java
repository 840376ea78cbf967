package dev.convey.fuzz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a reader over many files in child JVMs ({@link FuzzWorker}) and sorts each file's outcome:
 * <ul>
 *   <li>{@code LOADED}: the reader returned;
 *   <li>{@code CLEAR}: it threw an exception of an expected type whose message names the file (its file name)
 *       and says more than that;
 *   <li>{@code UNCLEAR}: any other exception or error (NullPointerException, ClassCastException, Gson's
 *       exceptions, OutOfMemoryError, ...), or a message that does not name the file;
 *   <li>{@code HANG}: no answer within the per-file time limit (the child is killed);
 *   <li>{@code CRASH}: the child JVM died while reading the file (a native crash).
 * </ul>
 * After a hang or a crash a new child goes on with the next file.
 */
final class FuzzHarness {

    enum Status { LOADED, CLEAR, UNCLEAR, HANG, CRASH }

    record Outcome(Path file, Status status, String detail) {
    }

    /** Counts by status, and every outcome that is not LOADED or CLEAR (for the report). */
    record Report(String kind, Map<Status, Integer> counts, List<Outcome> problems, List<Outcome> clearExamples) {
        int count(Status s) {
            return counts.getOrDefault(s, 0);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(kind + ": " + counts);
            for (Outcome o : problems.subList(0, Math.min(problems.size(), 30))) {
                s.append("\n  ").append(o.status()).append(' ').append(o.file().getFileName()).append(": ").append(o.detail());
            }
            return s.toString();
        }
    }

    /** Exception types that a clear error may have (besides Convey's own, dev.convey.*). */
    private static final Set<String> CLEAR_TYPES = Set.of("java.lang.IllegalArgumentException",
            "java.lang.IllegalStateException", "java.io.IOException", "java.io.UncheckedIOException",
            "java.nio.file.NoSuchFileException", "java.io.EOFException");

    private final Duration perFile;
    private final String maxHeap;

    FuzzHarness(Duration perFile, String maxHeap) {
        this.perFile = perFile;
        this.maxHeap = maxHeap;
    }

    Report run(String kind, List<Path> files, Path workFolder) throws IOException, InterruptedException {
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        List<Outcome> problems = new ArrayList<>();
        List<Outcome> clear = new ArrayList<>();
        int next = 0;
        while (next < files.size()) {
            List<Path> batch = files.subList(next, files.size());
            List<Outcome> outcomes = runChild(kind, batch, workFolder);
            for (Outcome o : outcomes) {
                counts.merge(o.status(), 1, Integer::sum);
                if (o.status() == Status.CLEAR) {
                    if (clear.size() < 50) {
                        clear.add(o);
                    }
                } else if (o.status() != Status.LOADED) {
                    problems.add(o);
                    keep(o.file());
                }
            }
            next += outcomes.size();
        }
        return new Report(kind, counts, problems, clear);
    }

    /** Copies a problem file to {@code -Dfuzz.keep=FOLDER} (default target/fuzz-problems) to reproduce it. */
    private static void keep(Path file) throws IOException {
        Path folder = Path.of(System.getProperty("fuzz.keep", "target/fuzz-problems"));
        Files.createDirectories(folder);
        Files.copy(file, folder.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs one child over the files until it ends; the outcomes of the files it got to (at least one). */
    private List<Outcome> runChild(String kind, List<Path> files, Path workFolder) throws IOException, InterruptedException {
        Path list = Files.createTempFile(workFolder, "list-", ".txt");
        Files.write(list, files.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
        Path log = workFolder.resolve("child-" + kind + ".log");
        ProcessBuilder builder = new ProcessBuilder(javaCommand(kind, list, workFolder));
        builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process child = builder.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith(FuzzWorker.PREFIX)) {
                        lines.add(line.substring(FuzzWorker.PREFIX.length()));
                    }
                }
            } catch (IOException ignored) {
                // the child died; the end marker below tells
            }
            lines.add("end");
        });
        pump.setDaemon(true);
        pump.start();
        List<Outcome> outcomes = new ArrayList<>();
        try {
            boolean reading = false;
            long startupMillis = 120_000; // the first answer also waits for the JVM and the native libraries
            while (outcomes.size() < files.size()) {
                String line = lines.poll(reading ? perFile.toMillis() : startupMillis, TimeUnit.MILLISECONDS);
                Path current = files.get(outcomes.size());
                if (line == null) {
                    if (!reading) {
                        throw new IOException("fuzz worker did not start; see " + log);
                    }
                    outcomes.add(new Outcome(current, Status.HANG, "no answer after " + perFile.toSeconds() + " s"));
                    return outcomes;
                }
                if (line.equals("end")) {
                    if (!reading) {
                        throw new IOException("fuzz worker ended before its first file; see " + log);
                    }
                    child.waitFor(30, TimeUnit.SECONDS);
                    outcomes.add(new Outcome(current, Status.CRASH, "the JVM died (exit "
                            + (child.isAlive() ? "?" : child.exitValue()) + "); see " + log));
                    return outcomes;
                }
                if (line.equals("begin")) {
                    reading = true;
                    startupMillis = perFile.toMillis();
                } else if (line.equals("ok")) {
                    outcomes.add(new Outcome(current, Status.LOADED, ""));
                    reading = false;
                } else if (line.startsWith("error ")) {
                    outcomes.add(classify(current, line.substring("error ".length())));
                    reading = false;
                }
            }
            return outcomes;
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(list);
        }
    }

    /** CLEAR or UNCLEAR, from the worker's {@code CLASS<TAB>MESSAGE}. */
    static Outcome classify(Path file, String error) {
        int tab = error.indexOf('\t');
        String type = error.substring(0, tab);
        String message = error.substring(tab + 1);
        String name = file.getFileName().toString();
        boolean expectedType = type.startsWith("dev.convey.") || CLEAR_TYPES.contains(type);
        int at = message.indexOf(name);
        boolean namesFile = at >= 0;
        String withoutPath = namesFile ? message.replace(file.toString(), "").replace(name, "") : message;
        boolean saysWhat = withoutPath.replaceAll(" <- .*| @ .*", "").trim().length() >= 12;
        Status status = expectedType && namesFile && saysWhat ? Status.CLEAR : Status.UNCLEAR;
        return new Outcome(file, status, type + ": " + message);
    }

    private List<String> javaCommand(String kind, Path list, Path workFolder) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss1m",
                "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + workFolder.resolve("hs_err_%p.log"),
                "-Djava.awt.headless=true", "-cp", classPath, FuzzWorker.class.getName(), kind, list.toString());
    }
}
