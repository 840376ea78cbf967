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
import dev.convey.torch.StateDict;
import dev.convey.torch.Torchvision;
import dev.convey.torch.TorchvisionModel;

/** convey convert --model torchvision/NAME: a state_dict to a Keras model and back. */
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
}
