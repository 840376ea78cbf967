package dev.convey.io;

import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One uncompressed ({@code ZIP_STORED}) zip entry, as Keras' {@code .keras} archives and NumPy's {@code np.savez}
 * write them: a stored entry must declare its size and CRC-32 before its bytes.
 */
public final class StoredZipEntry {

    private StoredZipEntry() {
    }

    /** Writes {@code bytes} as the stored entry {@code name}. */
    public static void write(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }
}
