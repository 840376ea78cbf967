package dev.convey.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import dev.convey.io.StoredZip;

/**
 * Writes a state_dict as {@code torch.save(state_dict, file)} does (the zip format, see {@link TorchZip}), so
 * that {@code model.load_state_dict(torch.load(file))} reads it. The pickle is the one PyTorch writes
 * (protocol 2), built from a handful of opcodes:
 * <pre>
 *   OrderedDict() {KEY: _rebuild_tensor_v2(persistent_id('storage', torch.FloatStorage, 'N', 'cpu', numel),
 *                                          0, size, stride, False, OrderedDict()), ...}
 * </pre>
 * Storage N is the entry {@code archive/data/N}: the tensor's elements, C order, little-endian, uncompressed.
 */
public final class TorchWriter {

    private TorchWriter() {
    }

    /** Writes a {@code .pth} through a temporary file renamed into place. */
    public static void write(Path file, Map<String, TorchTensor> tensors) throws IOException {
        StoredZip.write(file, zip -> {
            zip.entry("archive/data.pkl", pickle(tensors));
            int n = 0;
            for (TorchTensor t : tensors.values()) {
                zip.entry("archive/data/" + n++, littleEndianBytes(t));
            }
            zip.entry("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.entry("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        });
    }

    /** The tensor's elements in C order, little-endian, in its own type (float32 or int64). */
    static byte[] littleEndianBytes(TorchTensor t) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
            case INT64 -> b.asLongBuffer().put(t.toLongArray());
            default -> throw new IllegalArgumentException("writing " + t.dtype() + " tensors is not supported"
                    + " (float32 and int64 are)");
        }
        return b.array();
    }

    // ---------------------------------------------------------------- the pickle, protocol 2

    static byte[] pickle(Map<String, TorchTensor> tensors) {
        Pickle p = new Pickle();
        p.op(0x80).op(2);                                   // PROTO 2
        p.orderedDict();
        p.op('(');                                          // MARK
        int n = 0;
        for (Map.Entry<String, TorchTensor> e : tensors.entrySet()) {
            TorchTensor t = e.getValue();
            p.string(e.getKey());
            p.global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').string("storage").global("torch", t.dtype().storageClass()).string(Integer.toString(n++))
                    .string("cpu").integer(t.numel()).op('t');
            p.op('Q');                                      // BINPERSID
            p.integer(0);                                   // storage_offset
            p.op('(');
            for (int d : t.shape()) {
                p.integer(d);
            }
            p.op('t').op('(');
            for (long s : TorchTensor.contiguousStrides(t.shape())) {
                p.integer(s);
            }
            p.op('t').op(0x89);                             // stride, requires_grad=False
            p.orderedDict();                                // backward_hooks
            p.op('t').op('R');                              // args tuple, REDUCE
        }
        p.op('u').op('.');                                  // SETITEMS, STOP
        return p.bytes();
    }

    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int b) {
            out.write(b);
            return this;
        }

        Pickle string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');                                        // BINUNICODE, u32 length
            write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            write(b);
            return this;
        }

        Pickle integer(long v) {
            op('J');                                        // BININT, signed i32
            write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Math.toIntExact(v)).array());
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        /** {@code collections.OrderedDict()}: GLOBAL, EMPTY_TUPLE, REDUCE. */
        Pickle orderedDict() {
            return global("collections", "OrderedDict").op(')').op('R');
        }

        private void write(byte[] b) {
            out.write(b, 0, b.length);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
