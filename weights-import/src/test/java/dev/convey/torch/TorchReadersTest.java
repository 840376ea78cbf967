package dev.convey.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.testdata.TestData;

/** The readers against files PyTorch 1.13 wrote (see src/test/python/make_torch_format_fixtures.py). */
class TorchReadersTest {

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return TestData.file("torch/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"formats_zip.pth", "formats_legacy.pth", "formats.safetensors"})
    void readsEveryDtypeStridesAndOffsetsAsPyTorchWroteThem(String file) throws IOException {
        StateDict sd = StateDict.read(fixture(file));
        JsonObject expected = JsonParser.parseString(Files.readString(fixture("formats_expected.json"))).getAsJsonObject();
        assertEquals(expected.keySet(), sd.keys());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(sd.keys()), "the file's order");
        for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
            TorchTensor t = sd.get(e.getKey());
            JsonObject x = e.getValue().getAsJsonObject();
            JsonArray shape = x.getAsJsonArray("shape");
            assertEquals(shape.size(), t.shape().length, e.getKey());
            for (int i = 0; i < shape.size(); i++) {
                assertEquals(shape.get(i).getAsInt(), t.shape()[i], e.getKey());
            }
            assertEquals(x.get("dtype").getAsString(), t.dtype().name().toLowerCase(), e.getKey());
            JsonArray values = x.getAsJsonArray("values");
            float[] got = t.toFloatArray();
            assertEquals(values.size(), got.length, e.getKey());
            for (int i = 0; i < got.length; i++) {
                assertEquals((float) values.get(i).getAsDouble(), got[i], 0f, e.getKey() + "[" + i + "]");
            }
        }
        assertArrayEquals(new long[] {7}, sd.get("i64").toLongArray());
        // the strided view: a.t()[r][c] == a[c][r]
        float[] a = sd.get("f32").toFloatArray();
        float[] at = sd.get("f32_transposed").toFloatArray();
        assertEquals(a[1 * 3 + 2], at[2 * 2 + 1]);
    }

    @ParameterizedTest
    @CsvSource({"evil_os_system.pth, posix.system", "evil_builtins_eval.pth, builtins.eval",
            "evil_builtins_exec.pth, builtins.exec", "evil_whole_module.pth, torch.nn.modules.linear.Linear"})
    void refusesEveryOtherGlobalByName(String file, String global) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(fixture(file)));
        assertTrue(e.getMessage().contains(global), e.getMessage());
        assertTrue(e.getMessage().contains(file), e.getMessage());
    }

    /** Pickles built opcode by opcode, each a classic trick; all must fail cleanly, naming the problem. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "80 02 63 6f 73 0a 73 79 73 74 65 6d 0a 2e | 'os.system'",                     // GLOBAL os system
            "80 04 8c 02 6f 73 8c 06 73 79 73 74 65 6d 93 2e | 'os.system'",             // STACK_GLOBAL
            "80 02 69 6f 73 0a 73 79 73 74 65 6d 0a 2e | INST",                          // INST os system
            "80 02 82 01 2e | EXT1",                                                     // extension registry
            "80 02 29 81 2e | NEWOBJ",
            "80 02 68 05 2e | memo entry 5",                                             // BINGET unknown
            "80 02 58 ff ff ff 7f 2e | length of 2147483647",                            // BINUNICODE huge
            "80 02 8d ff ff ff ff ff ff ff 7f | length of",                              // BINUNICODE8 huge
            "80 02 5d 71 00 7d 68 00 4b 01 73 2e | dict key of type list",               // {[]: 1}
            "80 02 4b 01 4b 02 52 2e | REDUCE",                                          // calling an int
            "80 02 7d 5d 62 2e | BUILD",                                                 // BUILD on a dict, not _metadata
            "80 02 4e 51 2e | persistent id",                                            // BINPERSID None
            "80 02 28 28 28 | without a STOP",
            "80 02 4a 01 | truncated",
            "80 02 73 2e | stack is empty",
            "80 02 4e 72 00 04 00 00 6a 00 04 00 00 2e | holds a None, not a state_dict"})   // LONG_BINPUT/GET 1024
    void refusesMalformedAndHostilePickles(String hex, String expected) throws IOException {
        Path file = zipWithPickle(hex(hex));
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aTensorReachingPastItsStorageIsRefused() throws IOException {
        // _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 2), 1, (2,), (1,), False, OrderedDict())
        byte[] pickle = TorchWriter.pickle(Map.of("w", TorchTensor.of(new float[] {1, 2}, 2)));
        String s = new String(pickle, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.indexOf("Q") + 1;                                 // BINPERSID, then BININT 0 = offset
        pickle[at + 1] = 1;                                          // storage offset 1: element 2 of 2
        Path file = tmp.resolve("past.pth");
        writeZip(file, pickle, new byte[8]);
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().contains("reaches element 2 of a storage of 2 elements"), e.getMessage());
    }

    @Test
    void aStorageEntryOfTheWrongSizeIsRefused() throws IOException {
        Path file = tmp.resolve("short.pth");
        writeZip(file, TorchWriter.pickle(Map.of("w", TorchTensor.of(new float[] {1, 2}, 2))), new byte[4]);
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().contains("holds 4 bytes but its storage is 2 elements of FLOAT32"), e.getMessage());
    }

    /** Truncations and byte flips of every fixture: each read succeeds or fails with a CheckpointException. */
    @ParameterizedTest
    @ValueSource(strings = {"formats_zip.pth", "formats_legacy.pth", "formats.safetensors"})
    void damagedFilesFailCleanly(String name) throws IOException {
        byte[] good = Files.readAllBytes(fixture(name));
        Random random = new Random(15);
        Path file = tmp.resolve(name);
        for (int trial = 0; trial < 300; trial++) {
            byte[] bad = trial < 100 ? java.util.Arrays.copyOf(good, random.nextInt(good.length)) : good.clone();
            for (int flips = trial < 100 ? 0 : 1 + random.nextInt(4); flips > 0; flips--) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            Files.write(file, bad);
            try {
                StateDict sd = StateDict.read(file);
                for (TorchTensor t : sd.tensors().values()) {
                    t.toFloatArray();
                }
            } catch (CheckpointException expected) {
                assertTrue(expected.getMessage().startsWith(file.toString()), expected.getMessage());
            }
        }
    }

    @Test
    void safetensorsHeadersAreChecked() throws IOException {
        assertSafetensorsRefused("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 8, "data_offsets");
        assertSafetensorsRefused("{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "dtype");
        assertSafetensorsRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "overlaps");
        assertSafetensorsRefused("{".repeat(100000), 0, "deeper than 64");
        assertSafetensorsRefused("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904, 4],\"data_offsets\":[0,4]}}",
                4, "shape");
    }

    private void assertSafetensorsRefused(String header, int dataBytes, String expected) throws IOException {
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path file = tmp.resolve("bad.safetensors");
        Files.write(file, b.array());
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    static byte[] hex(String hex) {
        String[] parts = hex.trim().split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    private Path zipWithPickle(byte[] pickle) throws IOException {
        Path file = tmp.resolve("hostile.pth");
        writeZip(file, pickle, null);
        return file;
    }

    static void writeZip(Path file, byte[] pickle, byte[] storage0) throws IOException {
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
            if (storage0 != null) {
                zip.putNextEntry(new java.util.zip.ZipEntry("archive/data/0"));
                zip.write(storage0);
                zip.closeEntry();
            }
        }
    }
}
