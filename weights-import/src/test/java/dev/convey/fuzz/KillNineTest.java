package dev.convey.fuzz;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.keras.KerasModelFile;
import dev.convey.models.Model;
import dev.convey.testdata.TestData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash-safe saving: a child JVM ({@link SaveLoop}) saves an old and a new version of a model over one file
 * without pause and is killed with SIGKILL ({@code Process.destroyForcibly} on Linux) at a random moment, 50
 * times; after each kill the file at the final name loads and is exactly the old or the new model.
 * {@code -Dkill.runs=N}.
 */
@Tag("slow")
class KillNineTest {

    @TempDir
    Path folder;

    @Test
    void aKilledSaveLeavesTheOldOrTheNewModel() throws Exception {
        int runs = Integer.getInteger("kill.runs", 50);
        Path source = TestData.file("keras-real/cnn_batch_norm.h5");
        Model old = KerasModelFile.load(source);
        double oldPrint = SaveLoop.fingerprint(old);
        Model changed = KerasModelFile.load(source);
        SaveLoop.shift(changed, 1);
        double newPrint = SaveLoop.fingerprint(changed);
        Path target = folder.resolve("model.h5");
        KerasModelFile.save(old, target);
        Random random = new Random(9);
        int olds = 0;
        int news = 0;
        long saves = 0;
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int run = 0; run < runs; run++) {
            Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath,
                    SaveLoop.class.getName(), source.toString(), target.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine(); // the first save has begun
            assertTrue(first != null && first.startsWith("saving"), "the saving child did not start: " + first);
            AtomicLong begun = new AtomicLong(1);
            Thread counter = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        begun.incrementAndGet();
                    }
                } catch (java.io.IOException closed) {
                    // the kill closed the pipe
                }
            });
            counter.start();
            Thread.sleep(random.nextInt(400));
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            counter.join(10_000);
            saves += begun.get();
            double print = SaveLoop.fingerprint(KerasModelFile.load(target)); // must load
            assertTrue(print == oldPrint || print == newPrint, "run " + run + ": the file is neither model ("
                    + print + " vs " + oldPrint + " / " + newPrint + ")");
            if (print == oldPrint) {
                olds++;
            } else {
                news++;
            }
            try (Stream<Path> left = Files.list(folder)) { // a kill may leave its temporary file: tidy it
                for (Path p : left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
                    Files.delete(p);
                }
            }
        }
        System.out.println("kill -9 during saves: " + runs + " kills, " + saves + " saves begun; the file held the old"
                + " model " + olds + " times, the new one " + news + " times");
        assertEquals(runs, olds + news);
    }
}
