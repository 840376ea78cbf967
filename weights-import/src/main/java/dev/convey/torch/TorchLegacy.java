package dev.convey.torch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.save}'s legacy format (before PyTorch 1.6, and {@code _use_new_zipfile_serialization=False}):
 * five things one after the other,
 * <pre>
 *   pickle  the magic number 0x1950a86a20f9469cfc6c
 *   pickle  the protocol version 1001
 *   pickle  sys_info {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {...}}
 *   pickle  the state_dict; storages are ('storage', torch.FloatStorage, KEY, 'cpu', numel, None)
 *   pickle  the list of storage KEYs, in the order their data follows
 *   then per KEY: numel as an int64, then numel * element size raw bytes
 * </pre>
 * The file is memory-mapped; each storage's record is checked against the numel its pickle declared and
 * against the end of the file before a tensor may read it.
 */
final class TorchLegacy {

    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private TorchLegacy() {
    }

    static StateDict read(Path file) throws IOException {
        ByteBuffer in;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() > Integer.MAX_VALUE) {
                throw new CheckpointException(file, "a legacy torch.save file over 2 GB; re-save it in the zip format");
            }
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            in = mapped;
        }
        Unpickler.Globals none = new StateDictGlobals((dtype, key, numel) -> {
            throw new CheckpointException(file, "a storage in the header pickles");
        });
        Object magic = Unpickler.load(file, in, none);
        if (!(magic instanceof BigInteger m && m.equals(MAGIC))) {
            throw new CheckpointException(file, "the first pickle is not torch.save's magic number");
        }
        Object version = Unpickler.load(file, in, none);
        if (!Long.valueOf(1001).equals(version)) {
            throw new CheckpointException(file, "legacy protocol version " + version + ", expected 1001");
        }
        Object sysInfo = Unpickler.load(file, in, none);
        ByteOrder order = sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))
                ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;

        Map<String, Storage> storages = new HashMap<>();
        Object top = Unpickler.load(file, in, new StateDictGlobals((dtype, key, numel) -> {
            Storage s = storages.computeIfAbsent(key, k -> new Storage(dtype, numel, k));
            if (s.numel() != numel || s.dtype() != dtype) {
                throw new CheckpointException(file, "storage '" + key + "' is declared twice with different types or sizes");
            }
            return s;
        }));
        Object keys = Unpickler.load(file, in, none);
        if (!(keys instanceof List<?> keyList)) {
            throw new CheckpointException(file, "the storage key list is a " + Unpickler.typeName(keys));
        }
        Set<String> seen = new HashSet<>();
        for (Object k : keyList) {
            Storage s = storages.get(k);
            if (!(k instanceof String key) || s == null || !seen.add(key)) {
                throw new CheckpointException(file, "storage key list entry '" + k + "' names no storage of the pickle, or repeats");
            }
            if (in.remaining() < 8) {
                throw new CheckpointException(file, "truncated before the data of storage '" + key + "'");
            }
            long numel = in.duplicate().order(order).getLong(in.position());
            in.position(in.position() + 8);
            long bytes = numel * s.dtype().bytes();
            if (numel != s.numel() || bytes > in.remaining()) {
                throw new CheckpointException(file, "storage '" + key + "' record says " + numel + " elements ("
                        + in.remaining() + " bytes left) but the pickle declared " + s.numel());
            }
            ByteBuffer slice = in.slice(in.position(), (int) bytes);
            in.position(in.position() + (int) bytes);
            s.source(() -> slice.duplicate().order(order));
        }
        if (seen.size() != storages.size()) {
            Set<String> missing = new HashSet<>(storages.keySet());
            missing.removeAll(seen);
            throw new CheckpointException(file, "no data for storages " + missing);
        }
        return StateDict.of(file, top);
    }
}
