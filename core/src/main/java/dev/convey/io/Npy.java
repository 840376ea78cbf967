package dev.convey.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * NumPy's {@code .npy} format: how Keras reference outputs travel to Java and back.
 *
 * <p>A file is a magic string, a version, a header and the raw array:
 * <pre>
 *   "\x93NUMPY" major minor  header_len (uint16 LE in 1.0, uint32 LE in 2.0/3.0)
 *   {'descr': '&lt;f4', 'fortran_order': False, 'shape': (5, 10, 10, 3), }   padded with spaces, ends in '\n'
 *   the elements, C order, in the byte order and type the descr names
 * </pre>
 * The header is a Python dict literal (ASCII in 1.0/2.0, UTF-8 in 3.0); magic + header together are padded
 * to a multiple of 64 bytes.
 *
 * <p>Reading gives a float32 {@link Tensor} whatever the stored type: float64 is rounded to the nearest
 * float32, integers are converted exactly up to 2^24 (larger ones are rounded, as {@code np.float32(x)} does).
 * {@link #load} also returns the stored {@link DType}. Only C order is supported ({@code fortran_order: True}
 * is an error). Writing produces format 1.0, float32 ({@code <f4}) or uint8 ({@code |u1}).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;

    /** The element types this reader understands, by NumPy's type code (kind + bytes). */
    public enum DType {
        FLOAT32("f4", 4), FLOAT64("f8", 8), UINT8("u1", 1), INT32("i4", 4), INT64("i8", 8);

        private final String code;
        private final int bytes;

        DType(String code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        /** NumPy's code without the byte-order character: {@code f4}, {@code u1}, ... */
        public String code() {
            return code;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /** An array as read from a file: the values as float32, and the type they were stored in. */
    public record Array(Tensor tensor, DType dtype) {
    }

    private Npy() {
    }

    /** Reads a .npy file as a float32 tensor (see the class comment for the conversions). */
    public static Tensor read(Path file) throws IOException {
        return load(file).tensor();
    }

    /** Reads a .npy file and tells which type it was stored in. */
    public static Array load(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException("Not a readable .npy file: " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the bytes of a .npy file (an entry of a {@code .npz} archive, for instance); errors are
     * IllegalArgumentExceptions saying what is wrong, for the caller to prefix with the source's name.
     */
    public static Array parse(byte[] bytes) {
        return parse(ByteBuffer.wrap(bytes));
    }

    /** Writes a float32 tensor as {@code <f4} (to a temporary file that is then renamed over {@code file}). */
    public static void write(Path file, Tensor tensor) throws IOException {
        byte[] bytes = encode(tensor);
        AtomicFiles.write(file, temporary -> Files.write(temporary, bytes));
    }

    /** The bytes of a .npy 1.0 file holding {@code tensor} as {@code <f4}. */
    public static byte[] encode(Tensor tensor) {
        ByteBuffer data = ByteBuffer.allocate(tensor.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < tensor.size(); i++) {
            data.putFloat(tensor.data().get(i));
        }
        return encode("<f4", tensor.shape(), data.array());
    }

    /**
     * Writes a tensor of whole numbers in [0, 255] (an image) as {@code |u1}. Any other value is an error
     * rather than a silent clamp.
     */
    public static void writeUint8(Path file, Tensor tensor) throws IOException {
        byte[] data = new byte[tensor.size()];
        for (int i = 0; i < data.length; i++) {
            float v = tensor.data().get(i);
            if (!(v >= 0 && v <= 255 && v == Math.rint(v))) {
                throw new IllegalArgumentException("Cannot write " + file + " as uint8: element " + i + " is " + v
                        + ", not a whole number in [0, 255]");
            }
            data[i] = (byte) (int) v;
        }
        byte[] bytes = encode("|u1", tensor.shape(), data);
        AtomicFiles.write(file, temporary -> Files.write(temporary, bytes));
    }

    // ---------------------------------------------------------------- reading

    private static Array parse(ByteBuffer in) {
        require(in.remaining() >= MAGIC.length + 4, "the file is " + in.remaining() + " bytes, shorter than the magic string");
        for (byte b : MAGIC) {
            require(in.get() == b, "it does not start with the magic string \\x93NUMPY");
        }
        int major = in.get() & 0xff;
        int minor = in.get() & 0xff;
        in.order(ByteOrder.LITTLE_ENDIAN);
        long headerLength;
        if (major == 1) {
            headerLength = in.getShort() & 0xffff;
        } else if (major == 2 || major == 3) {
            require(in.remaining() >= 4, "it is truncated inside the header length");
            headerLength = in.getInt() & 0xffffffffL;
        } else {
            throw new IllegalArgumentException("format version " + major + "." + minor + " is not 1.0, 2.0 or 3.0");
        }
        require(headerLength <= in.remaining(), "it is truncated inside the header (" + headerLength
                + " header bytes announced, " + in.remaining() + " left)");
        byte[] headerBytes = new byte[(int) headerLength];
        in.get(headerBytes);
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = new HeaderParser(header).parseDict();

        require(dict.get("descr") instanceof String, "the header has no 'descr' string: " + header.trim());
        require(dict.get("fortran_order") instanceof Boolean, "the header has no 'fortran_order' flag: " + header.trim());
        require(dict.get("shape") instanceof List<?>, "the header has no 'shape' tuple: " + header.trim());
        require(!(Boolean) dict.get("fortran_order"), "it is stored in Fortran order (fortran_order: True); only C order is supported");
        String descr = (String) dict.get("descr");
        List<?> shapeList = (List<?>) dict.get("shape");
        int[] shape = new int[shapeList.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = (Long) shapeList.get(i);
            require(d >= 0 && d <= Integer.MAX_VALUE, "axis " + i + " of the shape has size " + d);
            shape[i] = (int) d;
        }

        ByteOrder order = byteOrder(descr);
        DType dtype = dtype(descr);
        int count = Shapes.size(shape);
        long expected = (long) count * dtype.bytes();
        require(in.remaining() == expected, (in.remaining() < expected ? "it is truncated: " : "it has trailing bytes: ")
                + "shape " + Shapes.toString(shape) + " of " + descr + " needs " + expected + " data bytes but "
                + in.remaining() + " follow the header");
        ByteBuffer data = in.slice().order(order);
        Tensor tensor = Tensor.zeros(shape);
        convertToFloat(data, dtype, tensor, count);
        return new Array(tensor, dtype);
    }

    /** tensor[i] = (float) stored[i]: the narrowing conversion NumPy's astype(float32) performs. */
    private static void convertToFloat(ByteBuffer data, DType dtype, Tensor out, int count) {
        for (int i = 0; i < count; i++) {
            float v = switch (dtype) {
                case FLOAT32 -> data.getFloat(i * 4);
                case FLOAT64 -> (float) data.getDouble(i * 8);
                case UINT8 -> data.get(i) & 0xff;
                case INT32 -> data.getInt(i * 4);
                case INT64 -> data.getLong(i * 8);
            };
            out.data().put(i, v);
        }
    }

    /** '<' little-endian, '>' big-endian, '|' not applicable (one byte), '=' this machine's order. */
    private static ByteOrder byteOrder(String descr) {
        require(descr.length() >= 2, "unsupported dtype '" + descr + "'");
        return switch (descr.charAt(0)) {
            case '<', '|' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '=' -> ByteOrder.nativeOrder();
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr + "' (no byte-order character)");
        };
    }

    private static DType dtype(String descr) {
        String code = descr.substring(1);
        for (DType t : DType.values()) {
            if (t.code().equals(code)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + descr + "' (supported: f4, f8, u1, i4, i8)");
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * The subset of Python literal syntax .npy headers use: a dict of string keys whose values are strings,
     * True/False, or tuples of integers.
     */
    private static final class HeaderParser {
        private final String text;
        private int pos;

        HeaderParser(String text) {
            this.text = text;
        }

        Map<String, Object> parseDict() {
            Map<String, Object> dict = new LinkedHashMap<>();
            expect('{');
            while (peek() != '}') {
                String key = parseString();
                expect(':');
                dict.put(key, parseValue());
                if (peek() == ',') {
                    pos++;
                }
            }
            expect('}');
            return dict;
        }

        private Object parseValue() {
            char c = peek();
            if (c == '\'' || c == '"') {
                return parseString();
            }
            if (c == '(') {
                pos++;
                List<Long> items = new ArrayList<>();
                while (peek() != ')') {
                    items.add(parseInteger());
                    if (peek() == ',') {
                        pos++;
                    }
                }
                pos++;
                return items;
            }
            if (text.startsWith("True", pos) || text.startsWith("False", pos)) {
                boolean value = text.startsWith("True", pos);
                pos += value ? 4 : 5;
                return value;
            }
            throw error("a string, tuple or True/False");
        }

        private String parseString() {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error("a quoted string");
            }
            int end = text.indexOf(quote, pos + 1);
            if (end < 0) {
                throw error("the closing quote");
            }
            String s = text.substring(pos + 1, end);
            pos = end + 1;
            return s;
        }

        private long parseInteger() {
            peek();
            int start = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (text.startsWith("L", pos)) {
                pos++; // Python 2 long literal, as in very old files
                return Long.parseLong(text.substring(start, pos - 1));
            }
            if (start == pos) {
                throw error("an integer");
            }
            return Long.parseLong(text.substring(start, pos));
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("'" + c + "'");
            }
            pos++;
        }

        /** The next non-blank character (skipping it is left to the caller). */
        private char peek() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            if (pos >= text.length()) {
                throw error("more header text");
            }
            return text.charAt(pos);
        }

        private IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("malformed header at character " + pos + " (expected " + expected
                    + "): " + text.trim());
        }
    }

    // ---------------------------------------------------------------- writing

    private static byte[] encode(String descr, int[] shape, byte[] data) {
        StringBuilder shapeText = new StringBuilder("(");
        for (int d : shape) {
            shapeText.append(d).append(", ");
        }
        if (shape.length > 0) {
            shapeText.setLength(shapeText.length() - (shape.length == 1 ? 1 : 2)); // (10,) but (2, 3)
        }
        shapeText.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
        // magic(6) + version(2) + length(2) + dict + padding + '\n' is a multiple of 64.
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        String header = dict + " ".repeat(padding) + "\n";
        if (header.length() > 0xffff) {
            throw new IllegalArgumentException("Shape " + Shapes.toString(shape) + " makes a .npy 1.0 header too long");
        }
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return out.array();
    }
}
