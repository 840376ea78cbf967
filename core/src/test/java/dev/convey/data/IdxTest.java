package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.testdata.TestData;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path tmp;

    private Path gzip(String name, byte[] content) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
        return file;
    }

    @Test
    void readsTheOriginalFashionMnistFiles() throws IOException {
        Optional<Path> dir = TestData.shared("datasets/fashion-mnist");
        Assumptions.assumeTrue(dir.isPresent(), "../shared/datasets/fashion-mnist is absent");
        Idx.Array labels = Idx.read(dir.get().resolve("train-labels-idx1-ubyte.gz"));
        assertArrayEquals(new int[] {60000}, labels.shape());
        int[] counts = new int[10];
        for (int i = 0; i < 60000; i++) {
            counts[labels.at(i)]++;
        }
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, counts);
        int[] first = new int[10];
        for (int i = 0; i < 10; i++) {
            first[i] = labels.at(i);
        }
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, first);
        Idx.Array images = Idx.read(dir.get().resolve("t10k-images-idx3-ubyte.gz"));
        assertArrayEquals(new int[] {10000, 28, 28}, images.shape());
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        byte[] data = {0, 1, 2, (byte) 200, (byte) 255, 7};
        Path file = tmp.resolve("x-idx3-ubyte.gz");
        Idx.write(file, new int[] {1, 2, 3}, data);
        Idx.Array read = Idx.read(file);
        assertArrayEquals(new int[] {1, 2, 3}, read.shape());
        assertArrayEquals(data, read.data());
        assertEquals(255, read.at(4));
    }

    @Test
    void badMagicNumberIsAClearError() throws IOException {
        Path zip = gzip("zip.gz", new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        IOException e = assertThrows(IOException.class, () -> Idx.read(zip));
        assertTrue(e.getMessage().contains(zip.toString()) && e.getMessage().contains("not an IDX file"),
                e.getMessage());
        Path floats = gzip("floats.gz", new byte[] {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0});
        e = assertThrows(IOException.class, () -> Idx.read(floats));
        assertTrue(e.getMessage().contains("0x0d") && e.getMessage().contains("only unsigned bytes"), e.getMessage());
    }

    @Test
    void truncatedFileSaysHowMuchIsMissing() throws IOException {
        byte[] content = new byte[4 + 12 + 30];
        content[2] = 0x08;
        content[3] = 3;
        content[7] = 10; // shape (10, 2, 2): 40 values, only 30 present
        content[11] = 2;
        content[15] = 2;
        Path file = gzip("short.gz", content);
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("expected 40 bytes")
                && e.getMessage().contains("found only 30"), e.getMessage());
    }
}
