package dev.convey.torch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader of Python pickles that never runs code: the stack machine of Python's {@code pickle} module, with
 * every operation that would import or call something ({@code GLOBAL}, {@code REDUCE}, {@code BUILD},
 * persistent ids) handed to a {@link Globals} policy, which interprets the few it allows in Java and refuses
 * the rest by name ({@link StateDictGlobals}: what {@code torch.load(weights_only=True)} accepts). The opcodes
 * that create arbitrary objects without a named global ({@code INST}, {@code OBJ}, {@code NEWOBJ}, the
 * extension registry) are refused outright.
 *
 * <p>Containers are tuples ({@link Tuple}), lists ({@code ArrayList}), dicts ({@code LinkedHashMap}, keys
 * restricted to strings, ints, bools and None); scalars are None, bools, ints (long, or BigInteger past 64
 * bits), floats (double), strings and bytes. Every length is checked against the bytes left before anything
 * is allocated, and each opcode pushes at most one object, so a pickle of n bytes never builds more than n
 * objects: a malformed pickle ends in an error naming the file, the byte position and the problem, never in a
 * hang or an exhausted heap.
 */
final class Unpickler {

    /** A Python tuple. */
    record Tuple(List<Object> items) {
    }

    /**
     * What a pickle may import and call. Each method returns the object to push, or throws
     * IllegalArgumentException saying what was refused (the unpickler adds the file and position).
     */
    interface Globals {
        /** {@code GLOBAL module name} / {@code STACK_GLOBAL}: a reference to the named object. */
        Object global(String module, String name) throws IOException;

        /** {@code REDUCE}: {@code callable(*args)}. */
        Object call(Object callable, Tuple args) throws IOException;

        /** {@code BUILD}: {@code target.__setstate__(state)}. */
        void build(Object target, Object state) throws IOException;

        /** {@code BINPERSID}: the object a persistent id names (PyTorch: a storage). */
        Object persistentLoad(Object pid) throws IOException;
    }

    private static final Object MARK = new Object();

    private final Path file;
    private final ByteBuffer in;
    private final Globals globals;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opcodeStart;

    private Unpickler(Path file, ByteBuffer in, Globals globals) {
        this.file = file;
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.globals = globals;
    }

    /** Reads one pickle from the buffer's position up to its STOP opcode; the position ends after it. */
    static Object load(Path file, ByteBuffer in, Globals globals) throws IOException {
        Unpickler u = new Unpickler(file, in, globals);
        try {
            return u.run();
        } catch (IllegalArgumentException e) {
            throw u.error(e.getMessage());
        } catch (java.nio.BufferUnderflowException e) {
            throw u.error("the pickle is truncated inside an opcode's argument");
        }
    }

    private Object run() throws IOException {
        while (true) {
            if (!in.hasRemaining()) {
                throw error("the pickle ends without a STOP opcode");
            }
            opcodeStart = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> protocol();                                  // PROTO
                case 0x95 -> bytes(8);                                    // FRAME: a length hint
                case '.' -> {                                             // STOP
                    return pop();
                }
                case '(' -> { marks.add(stack.size()); stack.add(MARK); } // MARK
                case ')' -> push(new Tuple(List.of()));                   // EMPTY_TUPLE
                case ']' -> push(new ArrayList<>());                      // EMPTY_LIST
                case '}' -> push(new LinkedHashMap<>());                  // EMPTY_DICT
                case 't' -> push(new Tuple(popMark()));                   // TUPLE
                case 0x85, 0x86, 0x87 -> push(new Tuple(popN(op - 0x84))); // TUPLE1..3
                case 'l' -> push(new ArrayList<>(popMark()));             // LIST
                case 'd' -> push(dict(popMark()));                        // DICT
                case 'a' -> append();                                     // APPEND
                case 'e' -> appends();                                    // APPENDS
                case 's' -> setItem();                                    // SETITEM
                case 'u' -> setItems();                                   // SETITEMS
                case 'N' -> push(null);                                   // NONE
                case 0x88 -> push(Boolean.TRUE);                          // NEWTRUE
                case 0x89 -> push(Boolean.FALSE);                         // NEWFALSE
                case 'J' -> push((long) in.getInt());                     // BININT
                case 'K' -> push((long) (in.get() & 0xff));               // BININT1
                case 'M' -> push((long) (in.getShort() & 0xffff));        // BININT2
                case 0x8a -> push(longOf(bytes(u8())));                   // LONG1
                case 0x8b -> push(longOf(bytes(length(4))));              // LONG4
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                case 'X' -> push(utf8(length(4)));                        // BINUNICODE
                case 0x8c -> push(utf8(u8()));                            // SHORT_BINUNICODE
                case 0x8d -> push(utf8(length(8)));                       // BINUNICODE8
                case 'T' -> push(latin1(length(4)));                      // BINSTRING (Python 2 str)
                case 'U' -> push(latin1(u8()));                           // SHORT_BINSTRING
                case 'B' -> push(bytes(length(4)));                       // BINBYTES
                case 'C' -> push(bytes(u8()));                            // SHORT_BINBYTES
                case 0x8e -> push(bytes(length(8)));                      // BINBYTES8
                case 'q' -> memo.put((long) u8(), peek());                // BINPUT
                case 'r' -> memo.put(u32(), peek());                      // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek());        // MEMOIZE
                case 'h' -> push(memoGet(u8()));                          // BINGET
                case 'j' -> push(memoGet(u32()));                         // LONG_BINGET
                case 'c' -> push(globals.global(line(), line()));         // GLOBAL
                case 0x93 -> stackGlobal();                               // STACK_GLOBAL
                case 'R' -> reduce();                                     // REDUCE
                case 'b' -> build();                                      // BUILD
                case 'Q' -> push(globals.persistentLoad(pop()));          // BINPERSID
                case '0' -> pop();                                        // POP
                case '1' -> popMark();                                    // POP_MARK
                case '2' -> push(peek());                                 // DUP
                case 'i' -> throw error("the INST opcode creates an instance of '" + line() + "." + line()
                        + "'; only state_dict globals are allowed");
                case 0x81, 0x92, 'o' -> throw error("opcode " + (op == 'o' ? "OBJ" : op == 0x81 ? "NEWOBJ" : "NEWOBJ_EX")
                        + " creates an arbitrary object;"
                        + " a state_dict never needs it");
                case 0x82, 0x83, 0x84 -> throw error("opcode EXT" + (op == 0x82 ? 1 : op == 0x83 ? 2 : 4)
                        + " names a global through the copyreg extension registry; refused");
                default -> throw error("unsupported pickle opcode " + name(op));
            }
        }
    }

    private static String name(int op) {
        return String.format(op >= 0x20 && op < 0x7f ? "'%c' (0x%02x)" : "0x%2$02x", (char) op, op);
    }

    // ---------------------------------------------------------------- reading bytes

    private int u8() throws IOException {
        need(1);
        return in.get() & 0xff;
    }

    private long u32() throws IOException {
        need(4);
        return in.getInt() & 0xffffffffL;
    }

    /** A length field of 4 or 8 bytes, checked against the bytes left (so nothing big is ever allocated). */
    private int length(int fieldBytes) throws IOException {
        need(fieldBytes);
        long n = fieldBytes == 4 ? in.getInt() & 0xffffffffL : in.getLong();
        if (n < 0 || n > in.remaining()) {
            throw error("a length of " + n + " bytes, but only " + in.remaining() + " are left");
        }
        return (int) n;
    }

    private byte[] bytes(int n) throws IOException {
        need(n);
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private void need(int n) throws IOException {
        if (in.remaining() < n) {
            throw error("the pickle is truncated (" + n + " bytes needed, " + in.remaining() + " left)");
        }
    }

    private String utf8(int n) throws IOException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(int n) throws IOException {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    /** A text line (GLOBAL's module and name), at most 256 bytes. */
    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int c = u8();
            if (c == '\n') {
                return s.toString();
            }
            if (s.length() >= 256) {
                throw error("a GLOBAL name longer than 256 bytes");
            }
            s.append((char) c);
        }
    }

    /** Python's two's-complement little-endian LONG1/LONG4 payload. */
    private Object longOf(byte[] le) throws IOException {
        if (le.length > 64) {
            throw error("an integer of " + le.length + " bytes; a state_dict holds no such number");
        }
        byte[] be = new byte[Math.max(le.length, 1)];
        for (int i = 0; i < le.length; i++) {
            be[be.length - 1 - i] = le[i];
        }
        BigInteger v = le.length == 0 ? BigInteger.ZERO : new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private void protocol() throws IOException {
        int version = u8();
        if (version > 5) {
            throw error("pickle protocol " + version + " (this reader knows 0 to 5)");
        }
    }

    // ---------------------------------------------------------------- the stack

    private void push(Object o) {
        stack.add(o);
    }

    private int peekIndex() throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error("the stack is empty");
        }
        return stack.size() - 1;
    }

    private Object peek() throws IOException {
        return stack.get(peekIndex());
    }

    private Object pop() throws IOException {
        return stack.remove(peekIndex());
    }


    private List<Object> popN(int n) throws IOException {
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(0, pop());
        }
        return items;
    }

    private List<Object> popMark() throws IOException {
        if (marks.isEmpty()) {
            throw error("no MARK on the stack");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key) throws IOException {
        if (!memo.containsKey(key)) {
            throw error("memo entry " + key + " was never stored");
        }
        return memo.get(key);
    }

    // ---------------------------------------------------------------- containers

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws IOException {
        if (!(o instanceof ArrayList<?>)) {
            throw error("APPEND to a " + typeName(o) + ", not a list");
        }
        return (List<Object>) o;
    }

    private void append() throws IOException {
        Object value = pop();
        list(peek()).add(value);
    }

    private void appends() throws IOException {
        List<Object> items = popMark();
        list(peek()).addAll(items);
    }

    private Map<Object, Object> dict(List<Object> keyValues) throws IOException {
        Map<Object, Object> d = new LinkedHashMap<>();
        putAll(d, keyValues);
        return d;
    }

    private void setItem() throws IOException {
        Object value = pop();
        Object key = pop();
        putAll(map(peek()), List.of(key, value));
    }

    private void setItems() throws IOException {
        List<Object> keyValues = popMark();
        putAll(map(peek()), keyValues);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object o) throws IOException {
        if (!(o instanceof LinkedHashMap<?, ?>)) {
            throw error("SETITEM on a " + typeName(o) + ", not a dict");
        }
        return (Map<Object, Object>) o;
    }

    /** Dict keys are strings or numbers: a list or tuple key could contain itself, so its hash would never end. */
    private void putAll(Map<Object, Object> d, List<Object> keyValues) throws IOException {
        if (keyValues.size() % 2 != 0) {
            throw error("a dict built from an odd number of items");
        }
        for (int i = 0; i < keyValues.size(); i += 2) {
            Object key = keyValues.get(i);
            if (!(key instanceof String || key instanceof Long || key instanceof Boolean || key == null)) {
                throw error("a dict key of type " + typeName(key) + "; a state_dict's keys are strings");
            }
            d.put(key, keyValues.get(i + 1));
        }
    }

    // ---------------------------------------------------------------- calls, through the policy

    private void stackGlobal() throws IOException {
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
            throw error("STACK_GLOBAL needs two strings, got " + typeName(module) + " and " + typeName(name));
        }
        push(globals.global(m, n));
    }

    private void reduce() throws IOException {
        Object args = pop();
        Object callable = pop();
        if (!(args instanceof Tuple t)) {
            throw error("REDUCE with arguments of type " + typeName(args) + ", not a tuple");
        }
        push(globals.call(callable, t));
    }

    private void build() throws IOException {
        Object state = pop();
        globals.build(peek(), state);
    }

    /** A Python-like type name for messages (never the value: it may be huge or contain itself). */
    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof StateDictGlobals.Global g) {
            return "global " + g;
        }
        return switch (o.getClass().getSimpleName()) {
            case "Long", "BigInteger" -> "int";
            case "Double" -> "float";
            case "String" -> "str";
            case "byte[]" -> "bytes";
            case "Boolean" -> "bool";
            case "Tuple" -> "tuple";
            case "ArrayList" -> "list";
            case "LinkedHashMap" -> "dict";
            case "TorchTensor" -> "tensor";
            case "Storage" -> "storage";
            default -> o == MARK ? "MARK" : o.getClass().getSimpleName();
        };
    }

    private CheckpointException error(String problem) {
        return new CheckpointException(file, "pickle byte " + opcodeStart + ": " + problem);
    }
}
