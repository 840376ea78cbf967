package dev.convey.fuzz;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.io.Npy;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/**
 * Fuzzing of {@code .npy} reading: byte-level mutations of the shipped arrays and of arrays Convey writes, and
 * header edits (a shape larger than the data, Fortran order, unsupported dtypes, malformed dicts, a wrong header
 * length), each read in a child JVM; no crash, no hang, no unclear error. {@code -Dfuzz.npy=N -Dfuzz.seed=S}.
 */
@Tag("slow")
class NpyFuzzTest {

    private static final List<String> SHIPPED = List.of("keras-real/cnn_batch_norm_input.npy",
            "keras-real/cnn_batch_norm_predictions.npy", "applications/tiny_input_rgb_uint8.npy",
            "applications/tiny_vgg16_block5_pool.npy", "applications/tiny_resnet50_logits.npy");

    private static final String[] HEADERS = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }",
        "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
        "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr': '<U10', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ('a', 3), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 3), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 65536), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ",
        "{'descr': '<f4', 'shape': (2, 3), }",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
        "{'descr': '<f4', 'fortran_order': None, 'shape': (2, 3), }",
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": [2, 3]}",
        "['<f4', False, (2, 3)]",
        "",
        "{'descr': '\\u00e9', 'fortran_order': False, 'shape': (), }",
    };

    @TempDir
    Path folder;

    @Test
    void mutatedNpyFilesGiveClearErrors() throws Exception {
        long seed = Long.getLong("fuzz.seed", 17);
        int count = Integer.getInteger("fuzz.npy", 300);
        Random random = new Random(seed);
        List<byte[]> sources = new ArrayList<>();
        for (String name : SHIPPED) {
            sources.add(Files.readAllBytes(TestData.file(name)));
        }
        Path own = folder.resolve("own.npy");
        Npy.write(own, Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        sources.add(Files.readAllBytes(own));
        ByteMutator bytes = new ByteMutator(random);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] source = sources.get(random.nextInt(sources.size()));
            String kind;
            byte[] content;
            if (random.nextInt(3) == 0) {
                kind = "header";
                content = withHeader(HEADERS[random.nextInt(HEADERS.length)], random.nextInt(4) == 0,
                        Arrays.copyOf(source, Math.min(source.length, 24 + random.nextInt(64))));
            } else {
                ByteMutator.Mutation m = bytes.mutate(source);
                kind = m.kind();
                content = m.bytes();
            }
            Path file = folder.resolve(String.format("n%05d-%s.npy", i, kind));
            Files.write(file, content);
            files.add(file);
        }
        FuzzHarness.Report report = new FuzzHarness(FuzzSettings.perFile(), "256m").run("npy", files, folder);
        System.out.println(".npy fuzzing, seed " + seed + ": " + report);
        FuzzSettings.assertClean(report, count);
    }

    /** A version 1.0 file with this header text, padded as NumPy pads it, or with a wrong header length. */
    private static byte[] withHeader(String header, boolean wrongLength, byte[] data) {
        byte[] text = header.getBytes(StandardCharsets.UTF_8);
        int padded = (10 + text.length + 1 + 63) / 64 * 64 - 10;
        byte[] out = new byte[10 + padded + data.length];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        System.arraycopy(magic, 0, out, 0, 8);
        int length = wrongLength ? padded * 7 : padded;
        out[8] = (byte) length;
        out[9] = (byte) (length >> 8);
        Arrays.fill(out, 10, 10 + padded, (byte) ' ');
        System.arraycopy(text, 0, out, 10, text.length);
        out[10 + padded - 1] = '\n';
        System.arraycopy(data, 0, out, 10 + padded, data.length);
        return out;
    }
}
