package dev.convey.keras;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The raw bytes of an HDF5 file, read in Java before libhdf5 trusts them. libhdf5 believes what a file declares
 * (addresses, sizes, counts) and has hung and crashed on files that lie; Convey reads strangers' files, so the
 * structures it hands to libhdf5 are checked here first against what the file can hold (see
 * {@link Hdf5HeapCheck}). This class finds the superblock (HDF5 format spec, section II.A) and recognises a
 * truncated file before any parsing: the superblock's end-of-file address is the size the writer left.
 *
 * <pre>
 *   version 0/1: signature(8) versions(4) sizeOfOffsets(1) sizeOfLengths(1) ... [v1: +4] base, freeSpace, EOF, driver, rootEntry
 *   version 2/3: signature(8) version(1) sizeOfOffsets(1) sizeOfLengths(1) flags(1) base, extension, EOF, rootHeader, checksum
 * </pre>
 */
final class Hdf5Layout implements AutoCloseable {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private final Path path;
    private final FileChannel channel;
    private final long fileSize;
    private final int offsetSize;
    private final int lengthSize;
    private final long base;

    private Hdf5Layout(Path path, FileChannel channel, long fileSize, int offsetSize, int lengthSize, long base) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.offsetSize = offsetSize;
        this.lengthSize = lengthSize;
        this.base = base;
    }

    /** Finds and checks the superblock; an error names the file and what is wrong with it. */
    static Hdf5Layout open(Path path) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            Hdf5Layout layout = parseSuperblock(path, channel, channel.size());
            channel = null;
            return layout;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + path + ": " + e.getMessage(), e);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the error above is the one to report
                }
            }
        }
    }

    private static Hdf5Layout parseSuperblock(Path path, FileChannel channel, long size) throws IOException {
        if (size == 0) {
            throw new Hdf5Exception(path + " is empty (0 bytes): not an HDF5 file");
        }
        long at = findSignature(channel, size);
        if (at < 0) {
            throw new Hdf5Exception(path + " is not an HDF5 file (no HDF5 signature found)");
        }
        ByteBuffer b = readAt(channel, at, (int) Math.min(96, size - at));
        if (b.remaining() < 16) {
            throw truncated(path, size, -1);
        }
        int version = b.get(8) & 0xFF;
        int offsets;
        int lengths;
        int fields;
        if (version <= 1) {
            offsets = b.get(13) & 0xFF;
            lengths = b.get(14) & 0xFF;
            fields = version == 0 ? 24 : 28;
        } else if (version <= 3) {
            offsets = b.get(9) & 0xFF;
            lengths = b.get(10) & 0xFF;
            fields = 12;
        } else {
            throw new Hdf5Exception(path + ": corrupt HDF5 superblock: version " + version + " (known: 0 to 3)");
        }
        if (!validSize(offsets) || !validSize(lengths)) {
            throw new Hdf5Exception(path + ": corrupt HDF5 superblock: size of offsets " + offsets + ", of lengths "
                    + lengths + " (expected 2, 4 or 8 bytes)");
        }
        // base address, then (free-space | extension) address, then the end-of-file address
        if (b.remaining() < fields + 3 * offsets) {
            throw truncated(path, size, -1);
        }
        long base = unsigned(b, fields, offsets);
        long eof = unsigned(b, fields + 2 * offsets, offsets);
        if (base != at && base != 0) {
            throw new Hdf5Exception(path + ": corrupt HDF5 superblock: base address " + base + ", but the superblock is at " + at);
        }
        if (eof < 0 || eof == -1L >>> (64 - 8 * offsets)) {
            throw new Hdf5Exception(path + ": corrupt HDF5 superblock: the end-of-file address is undefined");
        }
        if (base + eof > size) {
            throw truncated(path, size, base + eof);
        }
        return new Hdf5Layout(path, channel, size, offsets, lengths, base);
    }

    private static Hdf5Exception truncated(Path path, long size, long declared) {
        return new Hdf5Exception(path + " is truncated: " + size + " bytes of the "
                + (declared < 0 ? "more" : String.valueOf(declared)) + " the file declares (an incomplete download or copy)");
    }

    /** The superblock is at 0, 512, 1024, 2048, ... (after a user block). */
    private static long findSignature(FileChannel channel, long size) throws IOException {
        for (long at = 0; at + SIGNATURE.length <= size; at = at == 0 ? 512 : at * 2) {
            ByteBuffer b = readAt(channel, at, SIGNATURE.length);
            byte[] head = new byte[SIGNATURE.length];
            b.get(head);
            if (Arrays.equals(head, SIGNATURE)) {
                return at;
            }
        }
        return -1;
    }

    private static boolean validSize(int bytes) {
        return bytes == 2 || bytes == 4 || bytes == 8;
    }

    private static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && channel.read(b, position + b.position()) > 0) {
            // read until full or end of file
        }
        return b.flip();
    }

    // ---------------------------------------------------------------- reads for the checks

    Path path() {
        return path;
    }

    long fileSize() {
        return fileSize;
    }

    int offsetSize() {
        return offsetSize;
    }

    int lengthSize() {
        return lengthSize;
    }

    /**
     * {@code length} bytes at the file address {@code address} (relative to the base address, as every HDF5
     * address is), little-endian; an error naming {@code what} if they lie beyond the end of the file.
     */
    ByteBuffer read(long address, long length, String what) {
        if (address < 0 || length < 0 || length > Integer.MAX_VALUE || base + address > fileSize - length) {
            throw new Hdf5Exception(path + ": " + what + " at address " + address + " (" + length
                    + " bytes) lies beyond the end of the file (" + fileSize + " bytes): the file is corrupt");
        }
        try {
            ByteBuffer b = readAt(channel, base + address, (int) length);
            if (b.remaining() != length) {
                throw new Hdf5Exception(path + ": the file shrank while being read (" + what + ")");
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** An unsigned little-endian integer of {@code bytes} bytes (an address or length field) at the buffer's position. */
    static long unsigned(ByteBuffer b, int bytes) {
        long v = unsigned(b, b.position(), bytes);
        b.position(b.position() + bytes);
        return v;
    }

    private static long unsigned(ByteBuffer b, int at, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = (v << 8) | (b.get(at + i) & 0xFF);
        }
        return v;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
