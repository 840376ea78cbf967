package dev.convey.keras;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The messages of an HDF5 object header, read in Java (format spec IV.A): version 1 (what h5py writes by
 * default) and version 2 ({@code OHDR}, with {@code OCHK} continuation chunks). Every block is bounds-checked by
 * {@link Hdf5Layout#read}; a continuation cycle or an absurd number of blocks is an error.
 * <pre>
 *   v1: version(1) reserved(1) messages(2) refCount(4) headerSize(4) pad(4), then messages:
 *       type(2) size(2) flags(1) reserved(3) body(size)
 *   v2: "OHDR" version(1) flags(1) [times 16] [phase change 4] chunkSize(1|2|4|8), then messages:
 *       type(1) size(2) flags(1) [creation order 2] body(size); checksum(4)
 *   continuation message (type 0x10): offset(O) length(L) of the next block
 * </pre>
 */
final class Hdf5ObjectHeader {

    static final int ATTRIBUTE = 0x0C;
    static final int ATTRIBUTE_INFO = 0x15;
    private static final int CONTINUATION = 0x10;
    private static final int MAX_BLOCKS = 1024;

    /** One header message: its type and body. */
    record Message(int type, ByteBuffer body) {
    }

    private Hdf5ObjectHeader() {
    }

    /** All messages of the object header at {@code address}; {@code what} names the object in errors. */
    static List<Message> messages(Hdf5Layout file, long address, String what) {
        ByteBuffer head = file.read(address, 16, "the object header of " + what);
        boolean v2 = head.get(0) == 'O' && head.get(1) == 'H' && head.get(2) == 'D' && head.get(3) == 'R';
        List<Message> out = new ArrayList<>();
        Deque<long[]> blocks = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        int creationOrder = 0;
        if (v2) {
            int flags = head.get(5) & 0xFF;
            creationOrder = (flags & 0x04) != 0 ? 2 : 0;
            int prefix = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int sizeBytes = 1 << (flags & 0x03);
            ByteBuffer p = file.read(address, prefix + sizeBytes, "the object header of " + what);
            p.position(prefix);
            long chunk = Hdf5Layout.unsigned(p, sizeBytes);
            blocks.add(new long[] {address + prefix + sizeBytes, chunk, 0});
        } else {
            if (head.get(0) != 1) {
                throw corrupt(file, what, "object header version " + head.get(0) + " at address " + address);
            }
            head.position(8);
            long size = head.getInt() & 0xFFFFFFFFL;
            blocks.add(new long[] {address + 16, size, 0});
        }
        while (!blocks.isEmpty()) {
            long[] block = blocks.pop();
            if (!seen.add(block[0]) || seen.size() > MAX_BLOCKS) {
                throw corrupt(file, what, "its object header's continuation blocks loop or are too many");
            }
            ByteBuffer b = file.read(block[0], block[1], "an object header block of " + what);
            int end = b.limit();
            if (v2) {
                if (block[2] == 1) { // an OCHK continuation chunk starts with its signature
                    if (end < 8 || b.get(0) != 'O' || b.get(1) != 'C' || b.get(2) != 'H' || b.get(3) != 'K') {
                        throw corrupt(file, what, "an object header continuation block without its OCHK signature");
                    }
                    b.position(4);
                }
                end -= 4; // checksum
            }
            int headerBytes = v2 ? 4 + creationOrder : 8;
            while (end - b.position() >= headerBytes) {
                int type = v2 ? b.get() & 0xFF : b.getShort() & 0xFFFF;
                int size = b.getShort() & 0xFFFF;
                b.position(b.position() + headerBytes - (v2 ? 3 : 4));
                if (size > end - b.position()) {
                    throw corrupt(file, what, "an object header message of " + size + " bytes overruns its block");
                }
                ByteBuffer body = b.slice(b.position(), size).order(b.order());
                b.position(b.position() + size);
                if (type == CONTINUATION) {
                    long offset = Hdf5Layout.unsigned(body, file.offsetSize());
                    long length = Hdf5Layout.unsigned(body, file.lengthSize());
                    blocks.add(new long[] {offset, length, 1});
                } else {
                    out.add(new Message(type, body));
                }
            }
        }
        return out;
    }

    static Hdf5Exception corrupt(Hdf5Layout file, String what, String problem) {
        return new Hdf5Exception(file.path() + ": " + what + " is corrupt: " + problem);
    }
}
