package dev.convey.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipOutputStream;

/**
 * Writes a zip of uncompressed ({@code STORED}) entries through {@link AtomicFiles}: Keras' {@code .keras} archive
 * and {@code torch.save}'s {@code .pth} are such zips (their readers may map an entry's bytes directly).
 */
public final class StoredZip {

    /** Writes the entries, in order, with {@link #entry}. */
    @FunctionalInterface
    public interface Entries {
        void write(StoredZip zip) throws IOException;
    }

    private final ZipOutputStream zip;

    private StoredZip(ZipOutputStream zip) {
        this.zip = zip;
    }

    /** Writes {@code file} (under a temporary name renamed into place) with the entries {@code entries} writes. */
    public static void write(Path file, Entries entries) throws IOException {
        AtomicFiles.write(file, path -> {
            try (ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 20))) {
                entries.write(new StoredZip(out));
            }
        });
    }

    /** One uncompressed entry ({@link StoredZipEntry}): its size and CRC-32 go in the local header, as STORED requires. */
    public void entry(String name, byte[] bytes) throws IOException {
        StoredZipEntry.write(zip, name, bytes);
    }
}
