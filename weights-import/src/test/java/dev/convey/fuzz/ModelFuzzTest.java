package dev.convey.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.keras.KerasModelFile;
import dev.convey.keras.KerasWeights;
import dev.convey.models.Model;
import dev.convey.testdata.TestData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzing of Keras model and weight files: mutated copies (byte-level and structural) of every genuine Keras file
 * in src-test-data and of files Convey writes itself, each read in a child JVM; no crash, no hang, no unclear
 * error. A longer, differently seeded run:
 * <pre>  mvn -B -Pall test -pl weights-import -am -Dtest=ModelFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *      -Dfuzz.seed=2 -Dfuzz.models=5000</pre>
 */
@Tag("slow")
class ModelFuzzTest {

    /** The genuine Keras files shipped in src-test-data (whole models and weights, Keras 1 and 2 layouts). */
    static final List<String> GENUINE = List.of("keras-real/cnn_batch_norm.h5", "keras-real/weights_conv2d_tensorflow_1.h5",
            "keras-real/weights_conv2d_tensorflow_2.h5", "keras-real/weights_dense_tensorflow_2.h5",
            "keras-real/weights_simpleconv2d.hdf5", "keras-real/weights_simpleconv2d_model.hdf5",
            "applications/tiny_vgg16_keras1.h5", "applications/tiny_vgg16_notop_keras2.h5",
            "applications/tiny_vgg16_fullmodel_group.h5", "applications/tiny_resnet50_notop_keras2.h5",
            "fashion-mnist/pretrained_base.h5");

    @TempDir
    Path folder;

    @Test
    void mutatedModelFilesGiveClearErrors() throws Exception {
        long seed = Long.getLong("fuzz.seed", 17);
        int count = Integer.getInteger("fuzz.models", 1000);
        List<Path> sources = sources();
        Random random = new Random(seed);
        ByteMutator bytes = new ByteMutator(random);
        KerasFileMutator structure = new KerasFileMutator(random);
        FuzzHarness harness = new FuzzHarness(FuzzSettings.perFile(), "512m");
        FuzzHarness.Report total = null;
        int batch = 100;
        for (int start = 0; start < count; start += batch) {
            Path dir = Files.createDirectories(folder.resolve("batch" + start));
            List<Path> files = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + batch); i++) {
                Path source = sources.get(random.nextInt(sources.size()));
                String stem = String.format("m%05d-", i);
                String sourceName = source.getFileName().toString();
                if (random.nextInt(3) == 0) {
                    Path target = dir.resolve(stem + "structure-" + sourceName);
                    String kind = structure.mutate(source, target);
                    Path named = dir.resolve(stem + kind + "-" + sourceName);
                    Files.move(target, named);
                    files.add(named);
                } else {
                    ByteMutator.Mutation m = bytes.mutate(Files.readAllBytes(source));
                    Path target = dir.resolve(stem + m.kind() + "-" + sourceName);
                    Files.write(target, m.bytes());
                    files.add(target);
                }
            }
            total = FuzzSettings.merge(total, harness.run("model", files, dir));
            FuzzSettings.deleteFiles(files);
        }
        System.out.println("Model fuzzing, seed " + seed + ": " + total);
        FuzzSettings.assertClean(total, count);
    }

    /** The genuine files, and the same models as Convey writes them (whole-model and weights files). */
    private List<Path> sources() throws IOException {
        List<Path> sources = new ArrayList<>();
        for (String name : GENUINE) {
            sources.add(TestData.file(name));
        }
        Model model = KerasModelFile.load(TestData.file("keras-real/cnn_batch_norm.h5"));
        Path own = folder.resolve("convey_cnn_batch_norm.h5");
        KerasModelFile.save(model, own);
        sources.add(own);
        Path ownWeights = folder.resolve("convey_weights_cnn_batch_norm.h5");
        KerasWeights.save(model, ownWeights);
        sources.add(ownWeights);
        return sources;
    }
}
