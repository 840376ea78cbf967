package dev.convey.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file under a temporary name in the same folder and renames it into place, so that a crash, a
 * {@code kill -9} or a failing writer never leaves a half-written file where a good one was (checkpoints, saved
 * models, .npy, PNG, CSV, downloads). Every file Convey writes goes through here.
 *
 * <p>The order is what makes it crash-safe: write the temporary file, {@code fsync} it (its content is on disk
 * before its name can be), rename it over the target (atomic on POSIX file systems: a reader sees the old or the
 * new file, never a mix), {@code fsync} the folder (the rename itself survives a power cut). A killed writer
 * leaves at most a {@code .NAME.RANDOM.tmp} beside the untouched target.
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
            force(temporary, false);
            try {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            if (folder != null) {
                force(folder, true);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** fsync: the file's bytes (or a folder's entries) reach the disk. */
    private static void force(Path path, boolean folder) throws IOException {
        try (FileChannel channel = FileChannel.open(path, folder ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            channel.force(true);
        } catch (IOException e) {
            if (!folder) {
                throw e; // some platforms cannot open or sync a folder; a file must be synced
            }
        }
    }
}
