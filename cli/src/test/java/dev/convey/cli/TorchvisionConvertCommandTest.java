package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.keras.KerasFiles;
import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;
import dev.convey.torch.TorchTransforms;
import dev.convey.torch.StateDict;
import dev.convey.torch.Torchvision;
import dev.convey.torch.TorchvisionModel;

/** convey convert --model torchvision/NAME: a state_dict to a Keras model and back; predict with one. */
class TorchvisionConvertCommandTest {

    @TempDir
    Path dir;

    @Test
    void stateDictToKerasAndBack() throws Exception {
        Layer.setRandomSeed(31);
        TorchvisionModel model = Torchvision.create("efficientnet_b0", 6, new int[] {224, 224, 3});
        Path pth = dir.resolve("b0.pth");
        model.saveStateDict(pth);
        Path keras = dir.resolve("b0.keras");
        Path back = dir.resolve("b0.safetensors");
        ConveyTest.Result r = ConveyTest.run("convert", "--model", "torchvision/efficientnet_b0", pth.toString(),
                keras.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Wrote " + keras) && r.out().contains("a Keras model"), r.out());
        r = ConveyTest.run("convert", "--model", "torchvision/efficientnet_b0", keras.toString(), back.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("a PyTorch state_dict"), r.out());

        Tensor x = Tensor.full(0.25f, 1, 224, 224, 3);
        assertArrayEquals(model.model().predict(x, 1).toArray(), KerasFiles.loadModel(keras).predict(x, 1).toArray(), 0f);
        StateDict a = StateDict.read(pth), b = StateDict.read(back);
        assertEquals(a.keys(), b.keys());
        assertArrayEquals(a.get("features.1.0.block.1.fc1.weight").toFloatArray(),
                b.get("features.1.0.block.1.fc1.weight").toFloatArray(), 0f);

        r = ConveyTest.run("convert", "--model", "efficientnet_b0", pth.toString(), keras.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("torchvision/NAME"), r.err());
    }

    /** predict --model torchvision/squeezenet1_1: the softmax of the model's logits on torchvision's eval transforms. */
    @Test
    void predictGivesTheSoftmaxOfTheLogits() throws Exception {
        Layer.setRandomSeed(32);
        TorchvisionModel model = Torchvision.create("squeezenet1_1");
        Path pth = dir.resolve("sq.pth");
        model.saveStateDict(pth);
        Path image = TestData.file("images/elephant.jpg");
        ConveyTest.Result r = ConveyTest.run("predict", "--model", "torchvision/squeezenet1_1", "--weights", pth.toString(),
                "--top", "1", image.toString());
        assertEquals(0, r.exitCode(), r.err());
        float[] logits = model.model().predict(TorchTransforms.imagenetEval(image).reshape(1, 224, 224, 3), 1).toArray();
        int best = 0;
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            best = logits[i] > logits[best] ? i : best;
        }
        for (float z : logits) {
            sum += Math.exp(z - logits[best]);
        }
        String[] line = r.out().trim().split(" ");
        assertEquals(1 / sum, Double.parseDouble(line[line.length - 1]), 1e-6, r.out());
        assertEquals(dev.convey.applications.ImageNet.decodePredictions(Tensor.of(logits, 1, logits.length), 1)
                .get(0).get(0).wnid(), line[0], r.out());
    }
}
