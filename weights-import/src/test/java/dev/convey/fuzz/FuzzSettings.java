package dev.convey.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the fuzz tests share: the per-file time limit, adding up batches, the zero-problem assertion. */
final class FuzzSettings {

    private FuzzSettings() {
    }

    /** {@code -Dfuzz.timeout=SECONDS}, 30 by default (generous: the CI machine is small and shared). */
    static Duration perFile() {
        return Duration.ofSeconds(Long.getLong("fuzz.timeout", 30));
    }

    static FuzzHarness.Report merge(FuzzHarness.Report a, FuzzHarness.Report b) {
        if (a == null) {
            return b;
        }
        Map<FuzzHarness.Status, Integer> counts = new EnumMap<>(a.counts());
        b.counts().forEach((k, v) -> counts.merge(k, v, Integer::sum));
        List<FuzzHarness.Outcome> problems = new ArrayList<>(a.problems());
        problems.addAll(b.problems());
        List<FuzzHarness.Outcome> clear = new ArrayList<>(a.clearExamples());
        clear.addAll(b.clearExamples().subList(0, Math.min(5, b.clearExamples().size())));
        return new FuzzHarness.Report(a.kind(), counts, problems, clear);
    }

    static void deleteFiles(List<Path> files) throws IOException {
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }

    /** Every file was read, and none crashed, hung or gave an unclear error. */
    static void assertClean(FuzzHarness.Report report, int files) {
        int total = report.counts().values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(files, total, report.toString());
        assertEquals(0, report.count(FuzzHarness.Status.CRASH), report.toString());
        assertEquals(0, report.count(FuzzHarness.Status.HANG), report.toString());
        assertEquals(0, report.count(FuzzHarness.Status.UNCLEAR), report.toString());
        assertTrue(report.count(FuzzHarness.Status.CLEAR) > 0, "the mutations never broke a file: " + report);
    }
}
