package dev.convey.data;

import dev.convey.io.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The IDX format of (Fashion-)MNIST, usually gzip-compressed ({@code train-images-idx3-ubyte.gz}):
 * <pre>
 *   magic: 0x00 0x00 &lt;type&gt; &lt;rank&gt;     type 0x08 = unsigned byte (the only one used by MNIST)
 *   rank big-endian int32 sizes                images: (N, 28, 28), labels: (N)
 *   the values, C order, one byte each
 * </pre>
 */
public final class Idx {

    private static final int UNSIGNED_BYTE = 0x08;

    private Idx() {
    }

    /** An unsigned-byte IDX array: {@code data[i] & 0xFF} is element i in C order. */
    public record Array(int[] shape, byte[] data) {
        /** Element i as 0..255. */
        public int at(int i) {
            return data[i] & 0xFF;
        }
    }

    /** Reads a file, gunzipping it when its name ends with {@code .gz}. */
    public static Array read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(new BufferedInputStream(in, 1 << 16), file.toString());
        }
    }

    /** Reads an uncompressed IDX stream; {@code name} is used in error messages. */
    public static Array read(InputStream in, String name) throws IOException {
        byte[] magic = readExactly(in, 4, name, "the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IOException(name + " is not an IDX file: magic number starts with 0x"
                    + String.format("%02x%02x", magic[0], magic[1]) + ", expected 0x0000 (then 0x08 and the rank)");
        }
        if (magic[2] != UNSIGNED_BYTE) {
            throw new IOException(name + ": IDX data type 0x" + String.format("%02x", magic[2])
                    + " is not supported, only unsigned bytes (0x08) as in (Fashion-)MNIST");
        }
        int rank = magic[3];
        if (rank < 1 || rank > 4) {
            throw new IOException(name + ": IDX rank " + rank + " in the magic number, expected 1 to 4");
        }
        byte[] header = readExactly(in, 4 * rank, name, "the sizes of " + rank + " dimensions");
        int[] shape = new int[rank];
        long total = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = ((header[4 * d] & 0xFF) << 24) | ((header[4 * d + 1] & 0xFF) << 16)
                    | ((header[4 * d + 2] & 0xFF) << 8) | (header[4 * d + 3] & 0xFF);
            total *= shape[d];
            if (shape[d] < 0 || total > Integer.MAX_VALUE - 8) {
                throw new IOException(name + ": implausible IDX shape " + java.util.Arrays.toString(shape));
            }
        }
        byte[] data = readExactly(in, (int) total, name, "the data of shape " + java.util.Arrays.toString(shape));
        if (in.read() != -1) {
            throw new IOException(name + ": unexpected bytes after the " + total + " values of shape "
                    + java.util.Arrays.toString(shape));
        }
        return new Array(shape, data);
    }

    private static byte[] readExactly(InputStream in, int n, String name, String what) throws IOException {
        byte[] out = new byte[n];
        int got = in.readNBytes(out, 0, n);
        if (got < n) {
            throw new IOException(name + " is truncated: expected " + n + " bytes for " + what + ", found only "
                    + got);
        }
        return out;
    }

    /** Writes a gzip-compressed IDX file of unsigned bytes, via a temporary file renamed into place. */
    public static void write(Path file, int[] shape, byte[] data) throws IOException {
        long total = 1;
        for (int s : shape) {
            total *= s;
        }
        if (total != data.length || shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException("IDX shape " + java.util.Arrays.toString(shape) + " does not match "
                    + data.length + " values (rank 1 to 4)");
        }
        AtomicFiles.write(file, tmp -> {
            try (OutputStream raw = Files.newOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(raw)))) {
                out.write(new byte[] {0, 0, UNSIGNED_BYTE, (byte) shape.length});
                for (int s : shape) {
                    out.writeInt(s);
                }
                out.write(data);
            }
        });
    }
}
