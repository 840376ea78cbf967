package dev.convey.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Debian's python3-torch and python3-torchvision, where installed: tests use them as the reference (making
 * fixtures too large to commit, loading what Convey wrote) and skip cleanly where they are absent.
 */
final class PyTorch {

    private static Optional<String> interpreter;

    private PyTorch() {
    }

    /** A python3 that imports torch and torchvision, or empty. */
    static synchronized Optional<String> interpreter() {
        if (interpreter == null) {
            interpreter = Optional.empty();
            for (String candidate : List.of("/usr/bin/python3", "python3")) {
                try {
                    Process p = new ProcessBuilder(candidate, "-c", "import torch, torchvision").redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                        interpreter = Optional.of(candidate);
                        break;
                    }
                } catch (IOException | InterruptedException e) {
                    // not this one
                }
            }
        }
        return interpreter;
    }

    /** Skips the calling test unless PyTorch is present. */
    static String require() {
        Optional<String> python = interpreter();
        Assumptions.assumeTrue(python.isPresent(), "python3 with torch and torchvision not installed (apt-get install python3-torchvision)");
        return python.get();
    }

    /** This module's Python scripts ({@code src/test/python}). */
    static Path script(String name) {
        Path p = Paths.get("src/test/python", name);
        return Files.exists(p) ? p : Paths.get("weights-import/src/test/python", name);
    }

    /** Runs python with the arguments; returns its output, fails the test on a non-zero exit. */
    static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(require());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError("python failed: " + command + "\n" + out);
        }
        return out;
    }

    /**
     * The fixtures of {@code make_torchvision_fixtures.py} for a model, made once into
     * {@code target/torchvision-fixtures} (skips without PyTorch).
     */
    static Path fixtures(String name) throws IOException, InterruptedException {
        Path dir = Paths.get("target", "torchvision-fixtures").toAbsolutePath();
        if (!Files.exists(dir.resolve(name + "_output.npy"))) {
            run(script("make_torchvision_fixtures.py").toString(), dir.toString(), name);
        }
        return dir;
    }
}
