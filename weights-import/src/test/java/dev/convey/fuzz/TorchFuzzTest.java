package dev.convey.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.testdata.TestData;

/**
 * Fuzzing of PyTorch checkpoints: byte-level mutations of the shipped {@code .pth} (zip and legacy) and
 * {@code .safetensors} files and of the hostile pickles, each read (every tensor) in a child JVM with a small
 * heap: no crash, no hang, no unclear error. {@code -Dfuzz.torch=N -Dfuzz.seed=S}.
 */
@Tag("slow")
class TorchFuzzTest {

    private static final List<String> SHIPPED = List.of("torch/formats_zip.pth", "torch/formats_legacy.pth",
            "torch/formats.safetensors", "torch/evil_os_system.pth", "torch/evil_whole_module.pth");

    @TempDir
    Path folder;

    @Test
    void mutatedCheckpointsGiveClearErrors() throws Exception {
        long seed = Long.getLong("fuzz.seed", 17);
        int count = Integer.getInteger("fuzz.torch", 300);
        Random random = new Random(seed);
        List<byte[]> sources = new ArrayList<>();
        List<String> extensions = new ArrayList<>();
        for (String name : SHIPPED) {
            sources.add(Files.readAllBytes(TestData.file(name)));
            extensions.add(name.substring(name.lastIndexOf('.')));
        }
        ByteMutator bytes = new ByteMutator(random);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int s = random.nextInt(sources.size());
            ByteMutator.Mutation m = bytes.mutate(sources.get(s));
            Path file = folder.resolve(String.format("t%05d-%s%s", i, m.kind(), extensions.get(s)));
            Files.write(file, m.bytes());
            files.add(file);
        }
        FuzzHarness.Report report = new FuzzHarness(FuzzSettings.perFile(), "256m").run("torch", files, folder);
        System.out.println("PyTorch checkpoint fuzzing, seed " + seed + ": " + report);
        FuzzSettings.assertClean(report, count);
    }
}
