package dev.convey.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/** .npz archives written by NumPy (npz/make_npz.py) and by Npz itself; every bad archive names file and array. */
class NpzTest {

    @TempDir
    Path dir;

    private static final float[] A = {0, 0.25f, 0.5f, 0.75f, 1, 1.25f};
    private static final float[] B = {-0f, -1, -2, -3, -4, -5};

    @Test
    void readsNumpysSavezWithNamesInOrder() throws IOException {
        Map<String, Tensor> arrays = Npz.read(TestData.file("npz/named.npz"));
        assertEquals(List.of("features_a", "features_b"), List.copyOf(arrays.keySet()));
        assertArrayEquals(new int[] {2, 3}, arrays.get("features_a").shape());
        assertArrayEquals(A, arrays.get("features_a").toArray());
        assertArrayEquals(B, arrays.get("features_b").toArray()); // float64 in the file
    }

    @Test
    void readsPositionalAndCompressedArchives() throws IOException {
        assertEquals(List.of("arr_0", "arr_1"), List.copyOf(Npz.read(TestData.file("npz/positional.npz")).keySet()));
        Tensor c = Npz.read(TestData.file("npz/compressed.npz")).get("x");
        assertArrayEquals(new int[] {2, 3, 4}, c.shape());
        for (int i = 0; i < 24; i++) {
            assertEquals(i, c.data().get(i)); // uint8 0..23, deflated
        }
    }

    @Test
    void writesWhatItReadsBitForBit() throws IOException {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("logits", Tensor.of(new float[] {1.5f, -2, Float.MIN_VALUE}, 1, 3));
        arrays.put("features/pool", Tensor.of(A, 3, 2));
        Path file = dir.resolve("out.npz");
        Npz.write(file, arrays);
        Map<String, Tensor> back = Npz.read(file);
        assertEquals(List.copyOf(arrays.keySet()), List.copyOf(back.keySet()));
        for (String k : arrays.keySet()) {
            assertArrayEquals(arrays.get(k).shape(), back.get(k).shape());
            assertArrayEquals(arrays.get(k).toArray(), back.get(k).toArray());
        }
    }

    private Path zip(String... namesAndContents) throws IOException {
        Path file = dir.resolve("bad.npz");
        try (OutputStream o = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(o)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                StoredZipEntry.write(z, namesAndContents[i], namesAndContents[i + 1].getBytes());
            }
        }
        return file;
    }

    @Test
    void badArchivesAreErrorsNamingTheFileAndTheArray() throws IOException {
        IOException e = assertThrows(IOException.class, () -> Npz.read(zip("x.npy", "not numpy")));
        assertTrue(e.getMessage().contains("bad.npz") && e.getMessage().contains("array 'x'")
                && e.getMessage().contains("magic"), e.getMessage());
        e = assertThrows(IOException.class, () -> Npz.read(zip("notes.txt", "hello")));
        assertTrue(e.getMessage().contains("'notes.txt' is not an array"), e.getMessage());
        Path notZip = dir.resolve("plain.npz");
        Files.writeString(notZip, "plain text");
        e = assertThrows(IOException.class, () -> Npz.read(notZip));
        assertTrue(e.getMessage().contains("plain.npz"), e.getMessage());
        byte[] good = Npy.encode(Tensor.of(A, 2, 3));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 4);
        Path cut = dir.resolve("cut.npz");
        try (OutputStream o = Files.newOutputStream(cut); ZipOutputStream z = new ZipOutputStream(o)) {
            StoredZipEntry.write(z, "ok.npy", good);
            StoredZipEntry.write(z, "short.npy", truncated);
        }
        e = assertThrows(IOException.class, () -> Npz.read(cut));
        assertTrue(e.getMessage().contains("cut.npz: array 'short'") && e.getMessage().contains("truncated"),
                e.getMessage());
    }
}
