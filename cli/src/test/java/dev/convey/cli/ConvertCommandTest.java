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
        assertTrue(r.err().contains(in.toString()) && r.err().contains("expects (None, 5)"), r.err());
    }

    /** Several named inputs from a .npz, several outputs (two layers) to a .npz named by layer. */
    @Test
    void inferTakesAndWritesNpz() throws Exception {
        dev.convey.models.SymbolicTensor a = dev.convey.models.Input.of("image_features", 4);
        dev.convey.models.SymbolicTensor b = dev.convey.models.Input.of("text_features", 4);
        dev.convey.models.SymbolicTensor h = new Dense(3).activation("relu").name("joint")
                .apply(new dev.convey.layers.Concatenate(-1).apply(a, b));
        dev.convey.models.Model m = new dev.convey.models.Model(java.util.List.of(a, b),
                new Dense(2).activation("softmax").name("scores").apply(h), "two_inputs");
        Path model = dir.resolve("two.keras");
        KerasFiles.save(m, model);
        Tensor xa = Tensor.of(new float[] {1, 2, 3, 4, -1, 0, 1, 2, 0.5f, 0.5f, 0.5f, 0.5f}, 3, 4);
        Tensor xb = Tensor.of(new float[] {4, 3, 2, 1, 0, 0, 0, 1, -2, 1, 0, 3}, 3, 4);
        Path in = dir.resolve("x.npz");
        dev.convey.io.Npz.write(in, java.util.Map.of("text_features", xb, "image_features", xa));
        Path out = dir.resolve("y.npz");
        ConveyTest.Result r = ConveyTest.run("infer", "--model-file", model.toString(), "--input", in.toString(),
                "--output", out.toString(), "--layer", "joint", "--layer", "scores");
        assertEquals(0, r.exitCode(), r.err());
        var y = dev.convey.io.Npz.read(out);
        assertEquals(java.util.List.of("joint", "scores"), java.util.List.copyOf(y.keySet()));
        Tensor expected = m.forward(new Tensor[] {xa, xb}, false).copy();
        assertArrayEquals(expected.toArray(), y.get("scores").toArray());
        Tensor joint = new dev.convey.models.Model(m.inputs(), m.outputOf("joint"), "cut")
                .forward(new Tensor[] {xa, xb}, false).copy();
        assertArrayEquals(joint.toArray(), y.get("joint").toArray());

        dev.convey.io.Npz.write(in, java.util.Map.of("image_features", xa, "txt", xb));
        r = ConveyTest.run("infer", "--model-file", model.toString(), "--input", in.toString(), "--output",
                out.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(in.toString()) && r.err().contains("text_features") && r.err().contains("txt"),
                r.err());
        r = ConveyTest.run("infer", "--model-file", model.toString(), "--input", in.toString(), "--output",
                dir.resolve("y.npy").toString(), "--layer", "joint", "--layer", "scores");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(".npz"), r.err());
    }
}
