package dev.convey.keras;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks, in Java, the variable-length strings of an attribute before libhdf5 reads them. Such a string is
 * stored as a reference {@code (length(4), collection address(O), object index(4))} into a global heap
 * collection (format spec III.E), which libhdf5 1.14.3 parses without checking it: an object header of size 0
 * made it loop forever (the hangs under {@code readVariableLengthStrings}), an index past the collection's
 * objects or an object longer than the string's declared length made it read or copy out of bounds (the
 * SIGSEGV in {@code H5HG_read}). Here every reference is checked the way libhdf5 will use it:
 * <pre>
 *   collection: "GCOL" version(1)=1 reserved(3) collectionSize(L), then objects until collectionSize:
 *   object:     index(2) refCount(2) reserved(4) size(L) data padded to 8   (index 0 = free space, size includes header)
 *   every object advances, lies inside the collection, which lies inside the file; the referenced index exists
 *   once and holds exactly the string's length
 * </pre>
 */
final class Hdf5HeapCheck {

    private static final int VARIABLE_LENGTH = 9;

    private final Hdf5Layout file;
    /** Object sizes by index, per checked collection address. */
    private final Map<Long, Map<Integer, Long>> collections = new HashMap<>();

    Hdf5HeapCheck(Hdf5Layout file) {
        this.file = file;
    }

    /**
     * Checks the attribute {@code name} of the object whose header is at {@code headerAddress}; {@code what}
     * names it ({@code 'model_config' of /}). Returns quietly if it is sound.
     */
    void checkVariableLengthStrings(long headerAddress, String name, String what) {
        List<Hdf5ObjectHeader.Message> messages = Hdf5ObjectHeader.messages(file, headerAddress, "the object holding " + what);
        for (Hdf5ObjectHeader.Message m : messages) {
            if (m.type() == Hdf5ObjectHeader.ATTRIBUTE && checkAttribute(m.body(), name, what)) {
                return;
            }
        }
        throw new Hdf5Exception(file.path() + ": attribute " + what + " is not stored in its object's header"
                + " (dense attribute storage), which Convey does not read from untrusted files");
    }

    /** False if this attribute message is another attribute; else checks it and returns true. */
    private boolean checkAttribute(ByteBuffer b, String wanted, String what) {
        if (b.remaining() < 8) {
            throw corrupt(what, "an attribute message of " + b.remaining() + " bytes");
        }
        int version = b.get() & 0xFF;
        int flags = b.get() & 0xFF;
        int nameSize = b.getShort() & 0xFFFF;
        int typeSize = b.getShort() & 0xFFFF;
        int spaceSize = b.getShort() & 0xFFFF;
        if (version == 3) {
            b.get(); // name encoding
        } else if (version != 1 && version != 2) {
            throw corrupt(what, "attribute message version " + version);
        }
        int pad = version == 1 ? 8 : 1;
        int nameAt = b.position();
        int typeAt = nameAt + align(nameSize, pad);
        int spaceAt = typeAt + align(typeSize, pad);
        int dataAt = spaceAt + align(spaceSize, pad);
        if (nameSize == 0 || dataAt > b.limit()) {
            throw corrupt(what, "an attribute message whose fields overrun it");
        }
        byte[] nameBytes = new byte[nameSize - 1]; // the size counts the terminating NUL
        b.get(nameAt, nameBytes);
        if (!new String(nameBytes, StandardCharsets.UTF_8).equals(wanted)) {
            return false;
        }
        if ((flags & 0x03) != 0) {
            throw corrupt(what, "a shared datatype or dataspace, which Convey does not read from untrusted files");
        }
        int typeClass = b.get(typeAt) & 0x0F;
        if (typeClass != VARIABLE_LENGTH || typeSize < 8) {
            throw corrupt(what, "libhdf5 reads variable-length strings but the header declares type class " + typeClass);
        }
        long count = elements(b.slice(spaceAt, spaceSize).order(b.order()), what);
        int reference = 4 + file.offsetSize() + 4;
        if (count > (b.limit() - dataAt) / reference) {
            throw corrupt(what, count + " strings declared but room for " + (b.limit() - dataAt) / reference);
        }
        b.position(dataAt);
        for (long i = 0; i < count; i++) {
            long length = b.getInt() & 0xFFFFFFFFL;
            long collection = Hdf5Layout.unsigned(b, file.offsetSize());
            int index = b.getInt();
            if (collection == 0 || length == 0) {
                continue; // a null or empty string: libhdf5 does not read the heap
            }
            Long size = objects(collection, what).get(index);
            if (size == null) {
                throw corrupt(what, "string " + i + " refers to object " + Integer.toUnsignedString(index)
                        + " of the global heap at " + collection + ", which does not hold it");
            }
            if (size != length) {
                throw corrupt(what, "string " + i + " declares " + length + " bytes but its heap object holds " + size);
            }
        }
        return true;
    }

    /** The number of elements a dataspace message declares (version 1 or 2; scalar 1, null 0). */
    private long elements(ByteBuffer s, String what) {
        if (s.remaining() < 4) {
            throw corrupt(what, "a dataspace message of " + s.remaining() + " bytes");
        }
        int version = s.get() & 0xFF;
        int rank = s.get() & 0xFF;
        s.get(); // flags
        int type = s.get() & 0xFF;
        if (version == 1) {
            s.getInt(); // reserved
            type = rank == 0 ? 0 : 1;
        } else if (version != 2) {
            throw corrupt(what, "dataspace version " + version);
        }
        if (type == 2) {
            return 0;
        }
        if (rank > 32 || s.remaining() < rank * file.lengthSize()) {
            throw corrupt(what, "a dataspace of rank " + rank + " that does not fit its message");
        }
        long n = 1;
        for (int i = 0; i < rank; i++) {
            long d = Hdf5Layout.unsigned(s, file.lengthSize());
            if (d < 0 || (d > 0 && n > Long.MAX_VALUE / d)) {
                throw corrupt(what, "a dataspace declaring more elements than a file can hold");
            }
            n *= d;
        }
        return n;
    }

    /** The objects (index to size) of the collection at {@code address}, parsed once. */
    private Map<Integer, Long> objects(long address, String what) {
        Map<Integer, Long> known = collections.get(address);
        if (known != null) {
            return known;
        }
        String heap = "the global heap collection at " + address + " (holding strings of " + what + ")";
        int headerSize = 8 + file.lengthSize();
        ByteBuffer h = file.read(address, headerSize, heap);
        if (h.get(0) != 'G' || h.get(1) != 'C' || h.get(2) != 'O' || h.get(3) != 'L' || h.get(4) != 1) {
            throw corrupt(what, "its strings point to address " + address + ", where no global heap collection starts");
        }
        h.position(8);
        long size = Hdf5Layout.unsigned(h, file.lengthSize());
        if (size < headerSize || size > file.fileSize()) {
            throw corrupt(what, heap + " declares " + size + " bytes");
        }
        ByteBuffer c = file.read(address, size, heap);
        int objectHeader = 8 + file.lengthSize();
        Map<Integer, Long> objects = new HashMap<>();
        int p = headerSize;
        while (p + objectHeader <= size) {
            c.position(p);
            int index = c.getShort() & 0xFFFF;
            c.position(p + 8);
            long objectSize = Hdf5Layout.unsigned(c, file.lengthSize());
            long need = index == 0 ? objectSize : objectHeader + align(objectSize, 8);
            if (objectSize < 0 || need < objectHeader || need > size - p) {
                throw corrupt(what, heap + " has an object of " + objectSize + " bytes at offset " + p
                        + " that does not fit the collection");
            }
            if (index != 0 && objects.put(index, objectSize) != null) {
                throw corrupt(what, heap + " holds object " + index + " twice");
            }
            p += (int) need;
        }
        collections.put(address, objects);
        return objects;
    }

    private static long align(long n, int to) {
        return (n + to - 1) / to * to;
    }

    private static int align(int n, int to) {
        return (n + to - 1) / to * to;
    }

    private Hdf5Exception corrupt(String what, String problem) {
        return new Hdf5Exception(file.path() + ": attribute " + what + " is corrupt: " + problem);
    }
}
