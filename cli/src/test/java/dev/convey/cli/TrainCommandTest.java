package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ResNet50;
import dev.convey.keras.KerasModelFile;
import dev.convey.keras.ModelMetadata;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Model;
import dev.convey.testdata.TestData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convey train} on the tiny ResNet50 fixture (channels / 16, with BatchNormalization). */
class TrainCommandTest {

    @TempDir
    Path tmp;

    static String tinyResNet50NoTop() {
        return TestData.file("applications/tiny_resnet50_notop_keras2.h5").toString();
    }

    @Test
    void fineTuningChangesOnlyTheUnfrozenLayersAndKeepsBatchNormStatistics() throws Exception {
        Path data = ImageFolders.darkAndLight(tmp.resolve("data"), 6, 1);
        Path out = tmp.resolve("model.h5");
        ConveyTest.Result r = ConveyTest.run("train", "--base", "resnet50", "--weights", tinyResNet50NoTop(),
                "--width-divisor", "16", "--data", data.toString(), "--validation-split", "0.25",
                "--image-size", "32,32", "--head", "gap,dense:8:relu,dropout:0.2", "--augment", "flip,rotate:0.05,contrast:0.1",
                "--epochs", "2", "--batch-size", "4", "--fine-tune-layers", "5", "--fine-tune-epochs", "1",
                "--fine-tune-lr", "0.01", "--optimizer", "sgd", "--momentum", "0.9", "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("Found 9 files belonging to 2 classes [dark, light]; 3 for validation"), r.out());
        assertTrue(r.out().contains("Phase 2: top 5 layers of the base unfrozen (1 with weights trained"), r.out());
        assertTrue(Files.size(tmp.resolve("model-curves.png")) > 0);
        assertTrue(Files.size(tmp.resolve("model-fine-tune-curves.png")) > 0);
        assertTrue(Files.exists(tmp.resolve("model-best.h5")));

        ModelMetadata meta = ModelMetadata.read(out).orElseThrow();
        assertEquals(List.of("dark", "light"), meta.classNames());
        assertEquals("caffe", meta.preprocessing());
        assertArrayEquals(new int[] {32, 32}, meta.imageSize());

        Model trained = KerasModelFile.load(out);
        Model pretrained = ResNet50.create(new ApplicationOptions().includeTop(false).weights(tinyResNet50NoTop())
                .inputShape(32, 32, 3).widthDivisor(16));
        // The top 5 layers: conv5_block3_2_relu, _3_conv, _3_bn, _add, _out: only _3_conv has weights and trains.
        Set<String> unfrozen = Set.of("conv5_block3_3_conv");
        int compared = 0;
        for (Layer l : pretrained.layers()) {
            if (l.weights().isEmpty()) {
                continue;
            }
            List<Parameter> before = l.weights();
            List<Parameter> after = trained.getLayer(l.name()).weights();
            for (int i = 0; i < before.size(); i++) {
                boolean same = java.util.Arrays.equals(before.get(i).value().toArray(), after.get(i).value().toArray());
                assertEquals(!unfrozen.contains(l.name()), same, before.get(i).fullName()
                        + (same ? " unchanged" : " changed"));
                compared++;
            }
        }
        assertTrue(compared > 200, compared + " weights compared");   // BN moving statistics among them
        assertFalse(java.util.Arrays.equals(pretrained.getLayer("conv5_block3_3_bn").weights().get(2).value().toArray(),
                new float[pretrained.getLayer("conv5_block3_3_bn").weights().get(2).value().size()]),
                "the fixture's moving means are not zeros (the comparison means something)");
    }
}
