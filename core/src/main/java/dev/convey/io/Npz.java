package dev.convey.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import dev.convey.tensor.Tensor;

/**
 * NumPy's {@code .npz} archives ({@code np.savez(file, input_1=a, input_2=b)}, {@code np.load(file)}): a zip
 * whose entries {@code NAME.npy} are {@link Npy} files, one per named array; {@code np.savez(file, a, b)} names
 * them {@code arr_0}, {@code arr_1}. Entries may be stored ({@code savez}) or deflated
 * ({@code savez_compressed}).
 *
 * <p>A file from a stranger is read defensively: every entry must be a {@code .npy} whose name appears once;
 * an entry may not hold more bytes than it declares nor more than a float32 tensor can have; each array is
 * parsed by {@link Npy#parse}. Every error names the file and the array. Nothing is skipped: a directory entry
 * or any other file in the zip is an error, not silently ignored. Writing stores each array as {@code <f4}
 * uncompressed, as {@code np.savez} does.
 */
public final class Npz {

    /** Bytes of one .npy entry: a float32 tensor has at most 2^31 - 1 elements (the int index of Tensor). */
    private static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 1024L;

    private Npz() {
    }

    /** The arrays of a .npz file by name (without {@code .npy}), in the archive's order, as float32 tensors. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String entryName = entry.getName();
                if (entry.isDirectory() || !entryName.endsWith(".npy") || entryName.length() == 4) {
                    throw new IOException(file + ": entry '" + entryName + "' is not an array (a .npz holds only"
                            + " NAME.npy entries, one per array)");
                }
                String name = entryName.substring(0, entryName.length() - 4);
                if (arrays.containsKey(name)) {
                    throw new IOException(file + ": array '" + name + "' appears twice");
                }
                if (entry.getSize() > MAX_ENTRY_BYTES) {
                    throw new IOException(file + ": array '" + name + "' declares " + entry.getSize()
                            + " bytes, more than a float32 tensor can hold");
                }
                byte[] bytes = readEntry(zip, entry, file, name);
                try {
                    arrays.put(name, Npy.parse(bytes).tensor());
                } catch (IllegalArgumentException bad) {
                    throw new IOException(file + ": array '" + name + "' is not a readable .npy: " + bad.getMessage(), bad);
                }
            }
        } catch (ZipException e) {
            throw new IOException(file + " is not a readable .npz (zip) file: " + e.getMessage(), e);
        }
        if (arrays.isEmpty()) {
            throw new IOException(file + " holds no arrays");
        }
        return arrays;
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry entry, Path file, String name) throws IOException {
        long declared = entry.getSize() >= 0 ? entry.getSize() : MAX_ENTRY_BYTES;
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) Math.min(declared, MAX_ENTRY_BYTES));
            if (in.read() >= 0) {
                throw new IOException(file + ": array '" + name + "' holds more bytes than the " + declared
                        + " its zip entry declares");
            }
            return bytes;
        } catch (ZipException e) {
            throw new IOException(file + ": array '" + name + "' cannot be decompressed: " + e.getMessage(), e);
        }
    }

    /** Writes the arrays as {@code NAME.npy} float32 entries, stored (temporary file, then rename). */
    public static void write(Path file, Map<String, Tensor> arrays) throws IOException {
        if (arrays.isEmpty()) {
            throw new IllegalArgumentException("Cannot write " + file + ": no arrays");
        }
        for (String name : arrays.keySet()) {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("Cannot write " + file + ": an array has an empty name");
            }
        }
        StoredZip.write(file, zip -> {
            for (Map.Entry<String, Tensor> a : arrays.entrySet()) {
                zip.entry(a.getKey() + ".npy", Npy.encode(a.getValue()));
            }
        });
    }
}
