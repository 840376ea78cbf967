package dev.convey.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.io.Npy;
import dev.convey.keras.KerasFiles;
import dev.convey.layers.ActivationFunction;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.models.TransferLearning;
import dev.convey.tensor.Tensor;

/**
 * {@link TorchConvert}: a state_dict to a Keras {@code .keras} file and back, and a model that
 * {@code convey train --base torchvision/NAME} makes (base, global average pooling, Dense softmax) to a
 * state_dict whose logits' softmax is the Keras model's output, in Convey and (slow) in PyTorch.
 */
class TorchConvertTest {

    @TempDir
    Path tmp;

    private static Tensor random(long seed, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }

    /** softmax over the rows of (n, k) logits. */
    static float[] softmax(float[] z, int k) {
        Tensor t = Tensor.of(z.clone(), z.length / k, k);
        ActivationFunction.SOFTMAX.forward(t);
        return t.toArray();
    }

    @Test
    void stateDictToKerasZipAndBack() throws IOException {
        Layer.setRandomSeed(21);
        TorchvisionModel model = Torchvision.create("mobilenet_v3_small", 4, new int[] {64, 64, 3});
        Path pth = tmp.resolve("m.pth");
        model.saveStateDict(pth);
        Path keras = tmp.resolve("m.keras");
        Path back = tmp.resolve("back.pth");
        TorchvisionModel read = TorchConvert.read("mobilenet_v3_small", pth);
        KerasFiles.save(read.model(), keras);
        TorchConvert.convert("mobilenet_v3_small", keras, back);
        Tensor x = random(3, 2, 224, 224, 3);
        assertArrayEquals(read.model().predict(x, 2).toArray(), KerasFiles.loadModel(keras).predict(x, 2).toArray(), 0f);
        StateDict a = StateDict.read(pth), b = StateDict.read(back);
        assertEquals(a.keys(), b.keys());
        for (String key : a.keys()) {
            if (!key.endsWith("num_batches_tracked")) {
                assertArrayEquals(a.get(key).toFloatArray(), b.get(key).toFloatArray(), 0f, key);
            }
        }
    }

    /** The model convey train --base torchvision/resnet18 --head gap,dropout:0.2 writes, as a base + head. */
    private Model trained(String head) {
        Layer.setRandomSeed(22);
        TorchvisionModel tv = Torchvision.create("resnet18", 1000, new int[] {64, 64, 3});
        return TransferLearning.on(tv.base(null)).head(head).classes(3).build();
    }

    @Test
    void aTrainedModelBecomesTorchvisionsStateDict() throws IOException {
        Model model = trained("gap,dropout:0.2");
        Path keras = tmp.resolve("trained.keras");
        Path pth = tmp.resolve("trained.pth");
        KerasFiles.save(model, keras);
        TorchConvert.convert("resnet18", keras, pth);
        TorchvisionModel back = Torchvision.load("resnet18", pth, new int[] {64, 64, 3});
        assertEquals(3, back.model().output().shape()[0]);
        Tensor x = random(4, 2, 64, 64, 3);
        assertArrayEquals(model.predict(x, 2).toArray(), softmax(back.model().predict(x, 2).toArray(), 3), 1e-6f);
    }

    @Test
    void aHeadTorchvisionCannotHoldIsRefusedByName() throws IOException {
        Path maxPooled = tmp.resolve("gmp.keras");
        KerasFiles.save(trained("gmp"), maxPooled);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchConvert.convert("resnet18", maxPooled, tmp.resolve("x.pth")));
        assertTrue(e.getMessage().contains("GlobalMaxPooling2D") && e.getMessage().contains("gmp.keras"), e.getMessage());

        Path hidden = tmp.resolve("hidden.keras");
        KerasFiles.save(trained("gap,dense:16:relu"), hidden);
        e = assertThrows(IllegalArgumentException.class, () -> TorchConvert.convert("resnet18", hidden, tmp.resolve("y.pth")));
        assertTrue(e.getMessage().contains("Dense"), e.getMessage());
    }

    /** torchvision.models.resnet18(num_classes=3).load_state_dict(torch.load(what convert wrote)): the same outputs. */
    @Tag("slow")
    @Test
    void pyTorchLoadsTheConvertedTrainedModel() throws IOException, InterruptedException {
        PyTorch.require();
        Model model = trained("gap");
        Path keras = tmp.resolve("trained.keras");
        Path pth = tmp.resolve("trained.pth");
        KerasFiles.save(model, keras);
        TorchConvert.convert("resnet18", keras, pth);
        Tensor x = random(5, 2, 64, 64, 3);
        Npy.write(tmp.resolve("x.npy"), x);
        PyTorch.run(PyTorch.script("load_in_torchvision.py").toString(), "resnet18", pth.toString(),
                tmp.resolve("x.npy").toString(), tmp.resolve("y.npy").toString(), "3");
        float[] torch = softmax(Npy.read(tmp.resolve("y.npy")).toArray(), 3);
        assertArrayEquals(model.predict(x, 2).toArray(), torch, 1e-5f);
    }
}
