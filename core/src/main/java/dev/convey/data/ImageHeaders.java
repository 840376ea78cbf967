package dev.convey.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads an image file's header (PNG, JPEG, GIF, BMP) and refuses, before any decoding, what would cost the
 * process: a decompression bomb (a small file declaring 50000x50000 pixels: Pillow's
 * {@code DecompressionBombError}), an image whose pixels would not fit the heap, an empty or truncated file.
 * Only a few header bytes are read. Other formats (TIFF, PPM, ...) pass unchecked to the decoder.
 * <pre>
 *   PNG:  \x89PNG\r\n\x1a\n, IHDR: length(4) "IHDR" width(4 BE) height(4 BE) ...      ends with the IEND chunk
 *   JPEG: FF D8, segments FF marker length(2 BE); SOFn (C0-CF but C4, C8, CC): precision(1) height(2) width(2)
 *         ends with FF D9
 *   GIF:  GIF87a|GIF89a width(2 LE) height(2 LE) flags(1) ...; each image: 2C left top width height (2 LE each)
 *   BMP:  BM ... DIB header at 14: size(4), then width, height (2 bytes each if size 12, else 4, LE, signed)
 * </pre>
 */
public final class ImageHeaders {

    /** Pillow's {@code Image.MAX_IMAGE_PIXELS}: above it Pillow warns of a decompression bomb. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    private static volatile long maxPixels = Long.getLong("convey.images.maxPixels", DEFAULT_MAX_PIXELS);

    /** What a header declares. */
    public record Header(String format, int width, int height) {
    }

    private ImageHeaders() {
    }

    /** The largest image (width x height) decoded ({@code -Dconvey.images.maxPixels}). */
    public static void setMaxPixels(long pixels) {
        maxPixels = pixels;
    }

    /**
     * Throws {@link UncheckedIOException} naming the file if it is empty or truncated, or if its header declares
     * more pixels than the limit or than the heap could hold once decoded; returns the header, or null for a
     * format this class does not read.
     */
    public static Header check(Path file) {
        Header header;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            header = read(file, in);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("Cannot read image " + file + ": " + e.getMessage(), e));
        }
        if (header == null) {
            return null;
        }
        long pixels = (long) header.width() * header.height();
        if (header.width() <= 0 || header.height() <= 0) {
            throw error(file, "its " + header.format() + " header declares " + header.width() + "x" + header.height()
                    + " pixels");
        }
        if (pixels > maxPixels) {
            throw error(file, "its " + header.format() + " header declares " + header.width() + "x" + header.height()
                    + " = " + pixels + " pixels, more than the limit of " + maxPixels + " (a decompression bomb?"
                    + " ImageHeaders.setMaxPixels or -Dconvey.images.maxPixels raises it)");
        }
        long needed = pixels * 16; // the decoder's 4-byte pixels and the 3 ints per pixel Images keeps
        Runtime runtime = Runtime.getRuntime();
        long available = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        if (needed > available) {
            throw error(file, header.width() + "x" + header.height() + " pixels need about " + (needed >> 20)
                    + " MB of heap to decode; " + (available >> 20) + " MB are free (raise -Xmx)");
        }
        return header;
    }

    private static UncheckedIOException error(Path file, String problem) {
        return new UncheckedIOException(new IOException("Cannot decode image " + file + ": " + problem));
    }

    private static Header read(Path file, FileChannel in) throws IOException {
        long size = in.size();
        if (size == 0) {
            throw error(file, "the file is empty (0 bytes)");
        }
        ByteBuffer b = bytes(in, 0, 32);
        if (startsWith(b, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')) {
            requireLength(file, b, 24, "PNG");
            requireEnd(file, in, size, new byte[] {'I', 'E', 'N', 'D'}, 8, "PNG", "IEND chunk");
            return new Header("PNG", b.order(ByteOrder.BIG_ENDIAN).getInt(16), b.getInt(20));
        }
        if (startsWith(b, 0xFF, 0xD8)) {
            Header h = jpeg(file, in, size);
            requireEnd(file, in, size, new byte[] {(byte) 0xFF, (byte) 0xD9}, 2, "JPEG", "end-of-image marker");
            return h;
        }
        if (startsWith(b, 'G', 'I', 'F', '8')) {
            requireLength(file, b, 13, "GIF");
            b.order(ByteOrder.LITTLE_ENDIAN);
            Header screen = new Header("GIF", b.getShort(6) & 0xFFFF, b.getShort(8) & 0xFFFF);
            Header image = gifImage(file, in, size, b.get(10) & 0xFF);
            return image != null && (long) image.width() * image.height() > (long) screen.width() * screen.height()
                    ? image : screen;
        }
        if (startsWith(b, 'B', 'M')) {
            requireLength(file, b, 26, "BMP");
            b.order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(14) == 12) {
                return new Header("BMP", b.getShort(18), b.getShort(20));
            }
            return new Header("BMP", b.getInt(18), Math.abs(b.getInt(22))); // negative height: top-down rows
        }
        return null;
    }

    /** Finds the frame header (SOFn) among the segments before the scan data. */
    private static Header jpeg(Path file, FileChannel in, long size) throws IOException {
        long at = 2;
        while (true) {
            ByteBuffer m = bytes(in, at, 9);
            if (m.remaining() < 4) {
                throw error(file, "the file is truncated: " + size + " bytes, before the JPEG frame header");
            }
            if ((m.get(0) & 0xFF) != 0xFF) {
                throw error(file, "a corrupt JPEG header: no segment marker at byte " + at);
            }
            int marker = m.get(1) & 0xFF;
            if (marker == 0xFF) {
                at++; // fill byte
                continue;
            }
            int length = m.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xFFFF;
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                if (m.remaining() < 9) {
                    throw error(file, "the file is truncated: " + size + " bytes, inside the JPEG frame header");
                }
                return new Header("JPEG", m.getShort(7) & 0xFFFF, m.getShort(5) & 0xFFFF);
            }
            if (marker == 0xDA || marker == 0xD9 || length < 2) {
                throw error(file, "a corrupt JPEG header: no frame header (SOF) before byte " + at);
            }
            at += 2 + length;
        }
    }

    /** The first image descriptor's size, after the colour table and any extension blocks; null if none found. */
    private static Header gifImage(Path file, FileChannel in, long size, int flags) throws IOException {
        long at = 13 + ((flags & 0x80) != 0 ? 3L << ((flags & 7) + 1) : 0);
        for (int blocks = 0; blocks < 10_000 && at < size; blocks++) {
            ByteBuffer m = bytes(in, at, 10).order(ByteOrder.LITTLE_ENDIAN);
            int kind = m.get(0) & 0xFF;
            if (kind == 0x2C) {
                if (m.remaining() < 9) {
                    throw error(file, "the file is truncated: " + size + " bytes, inside a GIF image descriptor");
                }
                return new Header("GIF", m.getShort(5) & 0xFFFF, m.getShort(7) & 0xFFFF);
            }
            if (kind != 0x21 || m.remaining() < 3) {
                return null; // the decoder reports what is wrong
            }
            at += 2; // extension introducer and label, then sub-blocks: length(1) data, ending with 0
            for (int sub = 0; sub < 100_000 && at < size; sub++) {
                int length = bytes(in, at, 1).get(0) & 0xFF;
                at += 1 + length;
                if (length == 0) {
                    break;
                }
            }
        }
        return null;
    }

    private static void requireLength(Path file, ByteBuffer b, int length, String format) {
        if (b.remaining() < length) {
            throw error(file, "the file is truncated: " + b.remaining() + " bytes, inside its " + format + " header");
        }
    }

    /** The format's end marker must be within the last bytes (a cut download lacks it). */
    private static void requireEnd(Path file, FileChannel in, long size, byte[] marker, int after, String format,
                                   String what) throws IOException {
        int window = (int) Math.min(size, 64 * 1024);
        ByteBuffer tail = bytes(in, size - window, window);
        for (int i = tail.remaining() - marker.length; i >= Math.max(0, tail.remaining() - window); i--) {
            boolean found = true;
            for (int k = 0; k < marker.length && found; k++) {
                found = tail.get(i + k) == marker[k];
            }
            if (found) {
                return;
            }
        }
        throw error(file, "the file is truncated: " + size + " bytes, and its " + format + " data ends without the "
                + what);
    }

    private static boolean startsWith(ByteBuffer b, int... prefix) {
        if (b.remaining() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b.get(i) & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer bytes(FileChannel in, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining() && in.read(b, at + b.position()) > 0) {
            // until full or the end of the file
        }
        return b.flip();
    }
}
