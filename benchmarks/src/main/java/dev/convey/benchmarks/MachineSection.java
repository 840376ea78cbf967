package dev.convey.benchmarks;

import dev.convey.blas.Blas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The "Machine" section of RESULTS.md: the date, CPU, cores, memory, JVM, OS and BLAS the figures were taken on. */
final class MachineSection {

    private static final double MB = 1024.0 * 1024.0;

    private MachineSection() {
    }

    static String markdown() {
        StringBuilder s = new StringBuilder("## Machine\n\n| | |\n| --- | --- |\n");
        s.append("| date | ").append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))).append(" |\n");
        s.append("| CPU | ").append(cpuModel()).append(" |\n");
        s.append("| cores | ").append(Runtime.getRuntime().availableProcessors()).append(" available to the JVM |\n");
        s.append("| memory | ").append(memTotal()).append(" |\n");
        s.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.vm.version")).append(" (").append(System.getProperty("java.vm.vendor"))
                .append(") |\n");
        s.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(' ').append(System.getProperty("os.arch")).append(" |\n");
        s.append("| BLAS | ").append(Blas.describe()).append(" |\n");
        return s.toString();
    }

    private static String cpuModel() {
        return procField("/proc/cpuinfo", "model name", "unknown (no /proc/cpuinfo)");
    }

    private static String memTotal() {
        String kib = procField("/proc/meminfo", "MemTotal", "");
        return kib.endsWith(" kB") ? ResultsReport.number(Long.parseLong(kib.replace(" kB", "")) / MB) + " GB"
                : "unknown (no /proc/meminfo)";
    }

    /** The value of the first "field : value" line of a /proc file. */
    private static String procField(String file, String field, String fallback) {
        try {
            for (String line : Files.readAllLines(Paths.get(file))) {
                if (line.startsWith(field)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return fallback;
        }
        return fallback;
    }
}
