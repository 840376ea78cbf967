package dev.convey.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A protocol-buffers message, written in the wire format (https://protobuf.dev/programming-guides/encoding/):
 * every field is a key {@code (field number << 3) | wire type} as a varint, then
 * <pre>
 *   wire type 0 (varint):           the value, 7 bits per byte, low bits first, high bit = "more follows"
 *   wire type 2 (length-delimited): the length as a varint, then that many bytes (strings, bytes, messages,
 *                                   packed repeated numbers)
 *   wire type 5 (32-bit):           four little-endian bytes (float)
 * </pre>
 * ONNX needs only these three. A nested message's length must be known before its bytes, so a message is a list
 * of parts that know their size; the tree is written in one pass, and a float payload (a layer's weights, up to
 * hundreds of MB) streams from its buffer instead of being copied into a byte array first.
 */
final class Protobuf {

    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    /** One field of the message, already keyed. */
    private interface Part {
        long size();

        void writeTo(OutputStream out) throws IOException;
    }

    private final List<Part> parts = new ArrayList<>();
    private long size = -1;

    Protobuf varint(int field, long value) {
        byte[] bytes = concat(key(field, VARINT), varintBytes(value));
        return add(bytesPart(bytes));
    }

    Protobuf fixed32Float(int field, float value) {
        int bits = Float.floatToRawIntBits(value);
        byte[] v = {(byte) bits, (byte) (bits >>> 8), (byte) (bits >>> 16), (byte) (bits >>> 24)};
        return add(bytesPart(concat(key(field, FIXED32), v)));
    }

    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Protobuf bytes(int field, byte[] value) {
        return add(bytesPart(concat(key(field, LENGTH_DELIMITED), varintBytes(value.length), value)));
    }

    /** A packed repeated int64 (ONNX's {@code dims}, {@code ints}). */
    Protobuf packedVarints(int field, long[] values) {
        byte[][] encoded = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            encoded[i] = varintBytes(values[i]);
        }
        return bytes(field, concat(encoded));
    }

    /** A nested message; it may still grow until this message is written. */
    Protobuf message(int field, Protobuf message) {
        byte[] key = key(field, LENGTH_DELIMITED);
        return add(new Part() {
            public long size() {
                long n = message.size();
                return key.length + varintBytes(n).length + n;
            }

            public void writeTo(OutputStream out) throws IOException {
                out.write(key);
                out.write(varintBytes(message.size()));
                message.writeTo(out);
            }
        });
    }

    /** A bytes field holding {@code floats} little-endian (ONNX's {@code raw_data}), streamed from the buffer. */
    Protobuf rawFloats(int field, FloatBuffer floats) {
        FloatBuffer source = floats.duplicate();
        byte[] key = key(field, LENGTH_DELIMITED);
        long payload = 4L * source.remaining();
        return add(new Part() {
            public long size() {
                return key.length + varintBytes(payload).length + payload;
            }

            public void writeTo(OutputStream out) throws IOException {
                out.write(key);
                out.write(varintBytes(payload));
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                FloatBuffer rest = source.duplicate();
                while (rest.hasRemaining()) {
                    chunk.clear();
                    int n = Math.min(rest.remaining(), chunk.capacity() / 4);
                    FloatBuffer slice = rest.slice().limit(n);
                    chunk.asFloatBuffer().put(slice);
                    rest.position(rest.position() + n);
                    out.write(chunk.array(), 0, 4 * n);
                }
            }
        });
    }

    /** The encoded size in bytes (computed once: add no field after the message has been measured). */
    long size() {
        if (size < 0) {
            long n = 0;
            for (Part p : parts) {
                n += p.size();
            }
            size = n;
        }
        return size;
    }

    void writeTo(OutputStream out) throws IOException {
        for (Part p : parts) {
            p.writeTo(out);
        }
    }

    private Protobuf add(Part part) {
        if (size >= 0) {
            throw new IllegalStateException("protobuf message changed after it was measured");
        }
        parts.add(part);
        return this;
    }

    private static Part bytesPart(byte[] bytes) {
        return new Part() {
            public long size() {
                return bytes.length;
            }

            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes);
            }
        };
    }

    private static byte[] key(int field, int wireType) {
        return varintBytes(((long) field << 3) | wireType);
    }

    /** Base-128 varint; negative int64 values take ten bytes (two's complement), as protobuf specifies. */
    static byte[] varintBytes(long value) {
        byte[] buffer = new byte[10];
        int n = 0;
        long v = value;
        while ((v & ~0x7FL) != 0) {
            buffer[n++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buffer[n++] = (byte) v;
        return java.util.Arrays.copyOf(buffer, n);
    }

    private static byte[] concat(byte[]... arrays) {
        int n = 0;
        for (byte[] a : arrays) {
            n += a.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] a : arrays) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }
}
