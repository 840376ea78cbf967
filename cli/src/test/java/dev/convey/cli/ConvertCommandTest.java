package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.io.Npy;
import dev.convey.keras.KerasFiles;
import dev.convey.layers.Dense;
import dev.convey.layers.InputLayer;
import dev.convey.models.Model;
import dev.convey.models.Sequential;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/** convey convert between the three formats; summary and infer on each; infer on a (N, features) model. */
class ConvertCommandTest {

    @TempDir
    Path dir;

    @Test
    void genuineKerasFileConvertsToEveryFormatAndBack() throws Exception {
        Path genuine = TestData.file("keras3/fashion_mnist_cnn.keras");
        Path h5 = dir.resolve("m.h5");
        Path weights = dir.resolve("m.weights.h5");
        Path again = dir.resolve("again.keras");
        ConveyTest.Result r = ConveyTest.run("convert", genuine.toString(), h5.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("121930 parameters"), r.out());
        assertEquals(0, ConveyTest.run("convert", genuine.toString(), weights.toString()).exitCode());
        r = ConveyTest.run("convert", weights.toString(), again.toString(), "--architecture", h5.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(KerasFiles.Format.LEGACY_MODEL_H5, KerasFiles.format(h5));
        assertEquals(KerasFiles.Format.KERAS3_WEIGHTS_H5, KerasFiles.format(weights));

        Tensor x = Tensor.full(0.5f, 2, 28, 28, 1);
        Tensor expected = KerasFiles.loadModel(genuine).predict(x, 2);
        for (Path p : new Path[] {h5, again}) {
            assertArrayEquals(expected.toArray(), KerasFiles.loadModel(p).predict(x, 2).toArray(), p.toString());
            ConveyTest.Result s = ConveyTest.run("summary", "--model-file", p.toString());
            assertEquals(0, s.exitCode(), s.err());
            assertTrue(s.out().contains("conv2d_1") && (s.out().contains("121,930") || s.out().contains("121930")), s.out());
        }
        r = ConveyTest.run("convert", weights.toString(), dir.resolve("x.keras").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("holds weights only"), r.err());
    }

    @Test
    void inferRunsAModelOnFeatures() throws Exception {
        Sequential head = new Sequential("head");
        head.add(new InputLayer(5));
        head.add(new Dense(2).activation("softplus"));
        Path model = dir.resolve("head.keras");
        KerasFiles.save(head, model);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, -1, -2, -3, -4, -5}, 2, 5);
        Path in = dir.resolve("x.npy");
        Path out = dir.resolve("y.npy");
        Npy.write(in, x);
        ConveyTest.Result r = ConveyTest.run("infer", "--model-file", model.toString(), "--input", in.toString(),
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(head.predict(x, 2).toArray(), Npy.read(out).toArray());
        Npy.write(in, Tensor.zeros(2, 5, 1));
        r = ConveyTest.run("infer", "--model-file", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("the model expects (None, 5)"), r.err());
    }
}
