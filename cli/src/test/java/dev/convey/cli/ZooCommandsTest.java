package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.Applications;
import dev.convey.applications.SyntheticWeights;
import dev.convey.io.Npy;
import dev.convey.keras.KerasWeights;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * {@code summary} and {@code infer} take the names of the registry (Keras' names too; predict and train --base go
 * through the same registry, {@code Applications.get}), and summary prints Keras' totals.
 */
class ZooCommandsTest {

    @TempDir
    Path tmp;

    @Test
    void summaryPrintsKerasTotals() {
        ConveyTest.Result b0 = ConveyTest.run("summary", "--model", "EfficientNetB0");
        assertEquals(0, b0.exitCode(), b0.err());
        assertTrue(b0.out().contains("block1a_se_excite") && b0.out().contains("5,330,571"), b0.out());
        ConveyTest.Result dense = ConveyTest.run("summary", "--model", "densenet121");
        assertEquals(0, dense.exitCode(), dense.err());
        assertTrue(dense.out().contains("conv5_block16_concat") && dense.out().contains("8,062,504"), dense.out());
    }

    /** infer --model NAME --weights FILE gives the features of the same model built and loaded in Java. */
    @Test
    void inferLoadsAWeightsFileIntoEachFamily() throws Exception {
        for (String name : new String[] {"efficientnet_b0", "densenet121"}) {
            ApplicationOptions options = new ApplicationOptions().weights(null).includeTop(false).inputShape(64, 64, 3);
            Model model = Applications.get(name).create(options);
            SyntheticWeights.fill(model, 2);
            Path weights = tmp.resolve(name + ".h5");
            KerasWeights.save(model, weights);
            Tensor x = Applications.get(name).preprocessInput(SyntheticWeights.images(2, 2, 64, 64));
            Path in = tmp.resolve(name + "_x.npy");
            Path out = tmp.resolve(name + "_y.npy");
            Npy.write(in, x);
            ConveyTest.Result r = ConveyTest.run("infer", "--model", name, "--weights", weights.toString(), "--no-top",
                    "--input-shape", "64,64,3", "--input", in.toString(), "--output", out.toString());
            assertEquals(0, r.exitCode(), r.err());
            Tensor expected = model.forward(x);
            assertArrayEquals(expected.shape(), Npy.read(out).shape(), name);
            assertArrayEquals(expected.toArray(), Npy.read(out).toArray(), 1e-4f, name);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "xception, block14_sepconv2, '22,910,480'",
        "InceptionV3, mixed10, '23,851,784'",
        "vgg19, block5_conv4, '143,667,240'",
        "ResNet152V2, post_relu, '60,380,648'",
        "resnet101, conv4_block23_out, '44,707,176'",
    })
    void summaryPrintsTheKerasTable(String name, String layer, String total) {
        ConveyTest.Result r = ConveyTest.run("summary", "--model", name);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains(layer), r.out());
        assertTrue(r.out().contains(total), r.out());
    }
}
