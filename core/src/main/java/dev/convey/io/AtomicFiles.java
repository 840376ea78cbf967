package dev.convey.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file under a temporary name in the same folder and renames it into place, so that a crash or a
 * failing writer never leaves a half-written file where a good one was (checkpoints, saved models, .npy).
 * Every file Convey writes goes through here.
 */
public final class AtomicFiles {

    /** Writes the complete content to the given (temporary) path. */
    @FunctionalInterface
    public interface Writer {
        void write(Path path) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Runs {@code writer} on {@code .NAME.RANDOM.tmp} beside {@code target}, then renames it to {@code target}
     * (atomically where the file system can). The temporary file is created by the writer itself, so it gets the
     * usual permissions. On failure the temporary file is removed and any previous {@code target} is untouched.
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder != null) {
            Files.createDirectories(folder);
        }
        Path temporary = absolute.resolveSibling("." + absolute.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
        try {
            writer.write(temporary);
            try {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
