package dev.convey.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void readsKerasFloat64InputAsFloat32() throws IOException {
        Npy.Array a = Npy.load(TestData.file("keras-real/cnn_batch_norm_input.npy"));
        assertEquals(Npy.DType.FLOAT64, a.dtype());
        assertArrayEquals(new int[] {5, 10, 10, 3}, a.tensor().shape());
        // Values printed by NumPy, rounded to float32.
        assertEquals((float) 0.27812651949435974, a.tensor().get(0, 0, 0, 0));
        assertEquals((float) 0.5181752431585356, a.tensor().get(4, 9, 9, 2));
        assertEquals((float) 0.7382297113271197, a.tensor().get(2, 3, 4, 1));
        double sum = 0;
        for (float v : a.tensor().toArray()) {
            sum += v;
        }
        assertEquals(766.4963300368399, sum, 1e-9);
    }

    @Test
    void readsFloat32Predictions() throws IOException {
        Npy.Array p = Npy.load(TestData.file("keras-real/cnn_batch_norm_predictions.npy"));
        assertEquals(Npy.DType.FLOAT32, p.dtype());
        assertArrayEquals(new int[] {5, 1}, p.tensor().shape());
        assertArrayEquals(new float[] {-0.05206109583377838f, 0.049860745668411255f, 0.1629752218723297f,
                0.15389983355998993f, 0.15537278354167938f}, p.tensor().toArray());
    }

    /** The preprocessed float32 input is Keras' caffe preprocessing of the uint8 image: BGR minus the mean. */
    @Test
    void uint8ImageAndItsPreprocessedFloat32VersionAgree() throws IOException {
        Npy.Array rgb = Npy.load(TestData.file("applications/tiny_input_rgb_uint8.npy"));
        Tensor pre = Npy.read(TestData.file("applications/tiny_input_preprocessed.npy"));
        assertEquals(Npy.DType.UINT8, rgb.dtype());
        assertArrayEquals(new int[] {2, 64, 64, 3}, rgb.tensor().shape());
        assertArrayEquals(new float[] {34, 25, 213}, Arrays.copyOf(rgb.tensor().toArray(), 3));
        double sum = 0;
        for (float v : rgb.tensor().toArray()) {
            sum += v;
        }
        assertEquals(3136645, sum);
        float[] mean = {103.939f, 116.779f, 123.68f};
        float[] x = rgb.tensor().toArray();
        float[] y = pre.toArray();
        for (int pixel = 0; pixel < x.length / 3; pixel++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(x[pixel * 3 + 2 - c] - mean[c], y[pixel * 3 + c], 1e-4, "pixel " + pixel);
            }
        }
    }

    @Test
    void float32RoundTripWritesNumpysExactHeader() throws IOException {
        Tensor t = Tensor.of(new float[] {1.5f, -2f, 3.25f, Float.MIN_VALUE, Float.MAX_VALUE, -0f}, 2, 3);
        Path file = dir.resolve("t.npy");
        Npy.write(file, t);
        byte[] bytes = Files.readAllBytes(file);
        String header = new String(bytes, 10, 118, StandardCharsets.US_ASCII);
        // What np.save writes for np.zeros((2, 3), np.float32): 128 bytes of preamble, then the data.
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n", header);
        assertEquals(128 + 6 * 4, bytes.length);
        Npy.Array back = Npy.load(file);
        assertEquals(Npy.DType.FLOAT32, back.dtype());
        assertArrayEquals(t.shape(), back.tensor().shape());
        assertArrayEquals(t.toArray(), back.tensor().toArray());
        assertEquals(1, Files.list(dir).count(), "no temporary file is left behind");
    }

    @Test
    void oneDimensionalAndScalarShapesUsePythonTupleSyntax() throws IOException {
        Path file = dir.resolve("v.npy");
        Npy.write(file, Tensor.of(new float[] {7, 8, 9}, 3));
        assertTrue(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).contains("'shape': (3,), }"));
        assertArrayEquals(new int[] {3}, Npy.read(file).shape());
        Npy.write(file, Tensor.of(new float[] {4}));
        assertTrue(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).contains("'shape': (), }"));
        assertArrayEquals(new int[0], Npy.read(file).shape());
        assertEquals(4f, Npy.read(file).data().get(0));
    }

    @Test
    void uint8RoundTripAndRangeCheck() throws IOException {
        Path file = dir.resolve("u.npy");
        Tensor image = Tensor.of(new float[] {0, 1, 128, 255}, 1, 2, 2, 1);
        Npy.writeUint8(file, image);
        Npy.Array back = Npy.load(file);
        assertEquals(Npy.DType.UINT8, back.dtype());
        assertArrayEquals(image.toArray(), back.tensor().toArray());
        assertEquals(128 + 4, Files.size(file));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.writeUint8(dir.resolve("bad.npy"), Tensor.of(new float[] {1, 256.5f}, 2)));
        assertTrue(e.getMessage().contains("element 1 is 256.5"), e.getMessage());
    }

    @Test
    void readsVersion2And3HeadersBigEndianAndIntegerTypes() throws IOException {
        ByteBuffer big = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(-1.25).putDouble(1e300);
        Path f8 = writeRaw("be.npy", 2, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", big.array());
        float[] v = Npy.read(f8).toArray();
        assertEquals(-1.25f, v[0]);
        assertEquals(Float.POSITIVE_INFINITY, v[1], "float64 beyond float32's range rounds to infinity, as in NumPy");

        ByteBuffer ints = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(16777217).putInt(3);
        Npy.Array i4 = Npy.load(writeRaw("i4.npy", 3, "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 1), }", ints.array()));
        assertEquals(Npy.DType.INT32, i4.dtype());
        assertArrayEquals(new float[] {-7, 16777216, 3}, i4.tensor().toArray(), "2^24 + 1 rounds to the nearest float32");

        ByteBuffer longs = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-40_000_000_000L);
        Npy.Array i8 = Npy.load(writeRaw("i8.npy", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", longs.array()));
        assertEquals(Npy.DType.INT64, i8.dtype());
        assertEquals(-4e10f, i8.tensor().data().get(0));
    }

    @Test
    void fortranOrderIsAClearError() throws IOException {
        Path f = writeRaw("fortran.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);
        IOException e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("fortran.npy") && e.getMessage().contains("Fortran order"), e.getMessage());
    }

    @Test
    void truncatedFileNamesTheFileAndTheMissingBytes() throws IOException {
        byte[] whole = Files.readAllBytes(TestData.file("keras-real/cnn_batch_norm_predictions.npy"));
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 3));
        IOException e = assertThrows(IOException.class, () -> Npy.read(cut));
        assertEquals("Not a readable .npy file: " + cut + ": it is truncated: shape (5, 1) of <f4 needs 20 data bytes"
                + " but 17 follow the header", e.getMessage());

        Path headerCut = dir.resolve("header.npy");
        Files.write(headerCut, Arrays.copyOf(whole, 40));
        e = assertThrows(IOException.class, () -> Npy.read(headerCut));
        assertTrue(e.getMessage().contains("header.npy") && e.getMessage().contains("truncated inside the header"), e.getMessage());
    }

    @Test
    void otherFilesAndTypesAreRejectedByName() throws IOException {
        Path text = dir.resolve("notes.npy");
        Files.writeString(text, "just some text, not an array");
        IOException e = assertThrows(IOException.class, () -> Npy.read(text));
        assertTrue(e.getMessage().contains("notes.npy") && e.getMessage().contains("magic"), e.getMessage());

        Path complex = writeRaw("c.npy", 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
        e = assertThrows(IOException.class, () -> Npy.read(complex));
        assertTrue(e.getMessage().contains("unsupported dtype '<c8'"), e.getMessage());

        Path garbled = writeRaw("g.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", new byte[8]);
        e = assertThrows(IOException.class, () -> Npy.read(garbled));
        assertTrue(e.getMessage().contains("malformed header") && e.getMessage().contains("expected an integer"), e.getMessage());
    }

    /** A .npy file written by hand, with the given format version (1: uint16 header length, 2/3: uint32). */
    private Path writeRaw(String name, int version, String dict, byte[] data) throws IOException {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.UTF_8);
        int lengthBytes = version == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) header.length);
        } else {
            b.putInt(header.length);
        }
        b.put(header).put(data);
        Path file = dir.resolve(name);
        Files.write(file, b.array());
        return file;
    }
}
