package dev.convey.keras;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.tensor.Tensor;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Java-side checks that run before libhdf5 reads a file (Hdf5Layout, Hdf5HeapCheck, the element bounds): each
 * corruption the fuzzer found to hang or crash libhdf5, made by hand, gives its message.
 */
class Hdf5ChecksTest {

    @TempDir
    Path dir;

    /** A file whose root holds 'backend' = "tensorflow" as a variable-length string (h5py's way). */
    private byte[] fileWithString() throws IOException {
        Path file = dir.resolve("source.h5");
        Hdf5File.writeAtomically(file, root -> root.writeString("backend", "tensorflow"));
        return Files.readAllBytes(file);
    }

    private static int collection(byte[] bytes) {
        for (int i = 0; i + 4 <= bytes.length; i++) {
            if (bytes[i] == 'G' && bytes[i + 1] == 'C' && bytes[i + 2] == 'O' && bytes[i + 3] == 'L') {
                return i;
            }
        }
        throw new AssertionError("no global heap in the file");
    }

    private String readBackend(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> {
            try (Hdf5File f = Hdf5File.open(file)) {
                f.root().readString("backend");
            }
        });
        return e.getMessage().replace(file.toString(), "FILE");
    }

    @Test
    void aValidStringStillReads() throws IOException {
        Path file = dir.resolve("ok.h5");
        Files.write(file, fileWithString());
        try (Hdf5File f = Hdf5File.open(file)) {
            assertEquals("tensorflow", f.root().readString("backend"));
        }
    }

    @Test
    void aHeapObjectOfSizeZeroIsAnErrorNotAnEndlessLoop() throws IOException {
        byte[] bytes = fileWithString();
        int gcol = collection(bytes);
        // The object after "tensorflow" (header 16 + object header 16 + 16 bytes of data): index 0, size 0.
        java.util.Arrays.fill(bytes, gcol + 48, gcol + 64, (byte) 0);
        assertEquals("FILE: attribute 'backend' of / is corrupt: the global heap collection at " + gcol
                + " (holding strings of 'backend' of /) has an object of 0 bytes at offset 48 that does not fit the"
                + " collection", readBackend("loop.h5", bytes));
    }

    @Test
    void aStringReferringToAMissingHeapObjectIsAnError() throws IOException {
        byte[] bytes = fileWithString();
        int gcol = collection(bytes);
        bytes[gcol + 16] = 7; // object 1 renumbered 7
        assertEquals("FILE: attribute 'backend' of / is corrupt: string 0 refers to object 1 of the global heap at "
                + gcol + ", which does not hold it", readBackend("index.h5", bytes));
    }

    @Test
    void aHeapObjectLongerThanItsStringIsAnError() throws IOException {
        byte[] bytes = fileWithString();
        int gcol = collection(bytes);
        bytes[gcol + 24] = 14; // "tensorflow" is 10 bytes; 14 still fits the 16-byte slot
        assertEquals("FILE: attribute 'backend' of / is corrupt: string 0 declares 10 bytes but its heap object"
                + " holds 14", readBackend("size.h5", bytes));
    }

    @Test
    void aStringPointingAwayFromAnyHeapIsAnError() throws IOException {
        byte[] bytes = fileWithString();
        int gcol = collection(bytes);
        bytes[gcol] = 'X';
        assertEquals("FILE: attribute 'backend' of / is corrupt: its strings point to address " + gcol
                + ", where no global heap collection starts", readBackend("moved.h5", bytes));
    }

    @Test
    void aCollectionLargerThanTheFileIsAnError() throws IOException {
        byte[] bytes = fileWithString();
        int gcol = collection(bytes);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(gcol + 8, 1L << 40);
        assertEquals("FILE: attribute 'backend' of / is corrupt: the global heap collection at " + gcol
                + " (holding strings of 'backend' of /) declares " + (1L << 40) + " bytes", readBackend("huge.h5", bytes));
    }

    @Test
    void emptyAndCorruptSuperblocksAreNamed() throws IOException {
        Path empty = dir.resolve("empty.h5");
        Files.write(empty, new byte[0]);
        assertEquals(empty + " is empty (0 bytes): not an HDF5 file",
                assertThrows(Hdf5Exception.class, () -> Hdf5File.open(empty)).getMessage());
        byte[] bytes = fileWithString();
        bytes[13] = 3; // size of offsets (superblock version 0)
        Path odd = dir.resolve("offsets.h5");
        Files.write(odd, bytes);
        assertEquals(odd + ": corrupt HDF5 superblock: size of offsets 3, of lengths 8 (expected 2, 4 or 8 bytes)",
                assertThrows(Hdf5Exception.class, () -> Hdf5File.open(odd)).getMessage());
    }

    @Test
    void aDatasetDeclaringMoreThanTheFileHoldsFailsBeforeAllocating() {
        Path file = dir.resolve("big.h5");
        // A contiguous dataset that was never written takes no space: 4 GB declared in a file of a few KB.
        try (H5File f = new H5File(file.toString(), H5F_ACC_TRUNC);
             DataSpace space = new DataSpace(2, new long[] {1L << 15, 1L << 15});
             DataSet ds = f.createDataSet("big", PredType.IEEE_F32LE(), space)) {
            ds.getId();
        }
        try (Hdf5File f = Hdf5File.open(file)) {
            long size = file.toFile().length();
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> f.root().readDataset("big"));
            assertEquals(file + ": dataset /big declares 1073741824 elements of 4 bytes, more than the file's " + size
                    + " bytes could hold: the file is corrupt", e.getMessage());
        }
    }

    @Test
    void theElementLimitIsConfigurable() {
        Path file = dir.resolve("limit.h5");
        Hdf5File.writeAtomically(file, root -> root.writeDataset("w", Tensor.zeros(4, 6)));
        Hdf5File.setMaxElements(10);
        try (Hdf5File f = Hdf5File.open(file)) {
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> f.root().readDataset("w"));
            assertEquals(file + ": dataset /w declares 24 elements, more than the limit of 10"
                    + " (Hdf5File.setMaxElements, -Dconvey.hdf5.maxElements)", e.getMessage());
        } finally {
            Hdf5File.setMaxElements(Integer.MAX_VALUE);
        }
    }
}
