package dev.convey.keras;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DSetMemXferPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import static org.bytedeco.hdf5.global.hdf5.H5T_VARIABLE;

/**
 * The two ways h5py stores string-array attributes, read from and packed for libhdf5: fixed-length NUL-padded
 * byte strings (NumPy's {@code S21}) and variable-length strings (references into the global heap; callers
 * check those first with {@link Hdf5File#checkVariableLengthStrings}). Called under the library lock.
 */
final class Hdf5Strings {

    private Hdf5Strings() {
    }

    /** n fixed-length strings of type.getSize() bytes each; each ends at its first NUL (NULLPAD/NULLTERM). */
    static List<String> readFixedLength(Attribute a, DataType type, int n) {
        int width = (int) type.getSize();
        byte[] bytes = new byte[n * width];
        try (BytePointer buffer = new BytePointer((long) n * width)) {
            a.read(type, (Pointer) buffer); // the BytePointer overload is std::string&
            buffer.get(bytes);
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int end = i * width;
            while (end < (i + 1) * width && bytes[end] != 0) {
                end++;
            }
            out.add(new String(bytes, i * width, end - i * width, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** n variable-length strings: HDF5 fills an array of char* that it allocated, which must be reclaimed. */
    static List<String> readVariableLength(Attribute a, DataSpace space, int n) {
        List<String> out = new ArrayList<>(n);
        try (StrType fileType = a.getStrType();
             StrType memoryType = new StrType(PredType.C_S1(), H5T_VARIABLE());
             PointerPointer<BytePointer> pointers = new PointerPointer<>(n)) {
            memoryType.setCset(fileType.getCset()); // HDF5 does not convert between ASCII and UTF-8
            a.read(memoryType, pointers);
            try {
                for (int i = 0; i < n; i++) {
                    BytePointer s = pointers.get(BytePointer.class, i);
                    out.add(s == null || s.isNull() ? "" : s.getString(StandardCharsets.UTF_8));
                }
            } finally {
                DataSet.vlenReclaim(memoryType, space, DSetMemXferPropList.DEFAULT(), pointers);
            }
        }
        return out;
    }

    /** The strings' UTF-8 encodings NUL-padded to the longest (at least 1 byte): {@code width} then the bytes. */
    static byte[] packFixedLength(List<String> values, int[] widthOut) {
        byte[][] encoded = new byte[values.size()][];
        int width = 1;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = values.get(i).getBytes(StandardCharsets.UTF_8);
            width = Math.max(width, encoded[i].length);
        }
        byte[] packed = new byte[encoded.length * width];
        for (int i = 0; i < encoded.length; i++) {
            System.arraycopy(encoded[i], 0, packed, i * width, encoded[i].length);
        }
        widthOut[0] = width;
        return packed;
    }
}
