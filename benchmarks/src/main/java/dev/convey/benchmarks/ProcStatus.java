package dev.convey.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * This process's memory as Linux reports it in {@code /proc/self/status}: {@code VmRSS} is the resident set now,
 * {@code VmHWM} ("high water mark") its peak since the process started. Both count the Java heap, the direct
 * buffers holding every tensor, the native libraries and the JVM itself.
 */
final class ProcStatus {

    private static final Path STATUS = Paths.get("/proc/self/status");

    private ProcStatus() {
    }

    /** The resident set now, in bytes. */
    static long residentBytes() {
        return kibibytes("VmRSS") * 1024;
    }

    /** The peak resident set of this process so far, in bytes. */
    static long peakResidentBytes() {
        return kibibytes("VmHWM") * 1024;
    }

    /** A line "Field:   12345 kB" of /proc/self/status, in KiB. */
    private static long kibibytes(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + STATUS + " (the memory probes need Linux)", e);
        }
        throw new IllegalStateException(STATUS + " has no field " + field);
    }
}
