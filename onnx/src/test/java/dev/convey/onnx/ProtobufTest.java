package dev.convey.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;

import org.junit.jupiter.api.Test;

/** The wire encoder against the examples of protobuf's encoding guide and hand-computed bytes. */
class ProtobufTest {

    private static byte[] bytes(Protobuf p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.writeTo(out);
        assertEquals(out.size(), p.size(), "size() must equal the bytes written");
        return out.toByteArray();
    }

    private static byte[] of(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void varintsAsInTheEncodingGuide() {
        assertArrayEquals(of(0x01), Protobuf.varintBytes(1));
        assertArrayEquals(of(0x96, 0x01), Protobuf.varintBytes(150));
        assertArrayEquals(of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), Protobuf.varintBytes(-1));
    }

    @Test
    void fieldsNestedMessagesAndRawFloats() throws IOException {
        // The guide's Test1 {a = 150} is 08 96 01; Test2 {b = "testing"} is 12 07 74 65 73 74 69 6e 67.
        assertArrayEquals(of(0x08, 0x96, 0x01), bytes(new Protobuf().varint(1, 150)));
        assertArrayEquals(of(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'), bytes(new Protobuf().string(2, "testing")));
        // Test3 {c: Test1 {a = 150}} is 1a 03 08 96 01.
        assertArrayEquals(of(0x1a, 0x03, 0x08, 0x96, 0x01), bytes(new Protobuf().message(3, new Protobuf().varint(1, 150))));
        // Packed [3, 270, 86942] in field 4: 22 06 03 8e 02 9e a7 05.
        assertArrayEquals(of(0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05),
                bytes(new Protobuf().packedVarints(4, new long[] {3, 270, 86942})));
        // 1.0f = 0x3f800000 little-endian; -2.0f = 0xc0000000.
        assertArrayEquals(of(0x15, 0x00, 0x00, 0x80, 0x3f), bytes(new Protobuf().fixed32Float(2, 1f)));
        assertArrayEquals(of(0x4a, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0),
                bytes(new Protobuf().rawFloats(9, FloatBuffer.wrap(new float[] {1f, -2f}))));
    }

    @Test
    void rawFloatsLongerThanOneChunkKeepTheirOrder() throws IOException {
        float[] v = new float[40_000];   // 160 kB: three 64 kB chunks
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        byte[] b = bytes(new Protobuf().rawFloats(1, FloatBuffer.wrap(v)));
        int header = 1 + Protobuf.varintBytes(4L * v.length).length;
        for (int i : new int[] {0, 16_383, 16_384, 39_999}) {
            int at = header + 4 * i;
            int bits = (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
            assertEquals(i, Float.intBitsToFloat(bits));
        }
    }
}
