package dev.convey.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;
import dev.convey.training.FitOptions;
import dev.convey.training.SGD;

/** PyTorch's transfer-learning words (requires_grad, a new fc) and the conversions to and from Keras files. */
class TorchTransferTest {

    @TempDir
    Path tmp;

    static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }

    @Test
    void frozenBaseWithANewHeadTrainsOnlyTheHead() {
        Layer.setRandomSeed(11);
        TorchvisionModel base = Torchvision.create("resnet18", 1000, new int[] {32, 32, 3});
        TorchvisionModel model = base.withNewHead(2);
        assertArrayEquals(base.model().getLayer("layer4.1.conv2").getWeights().get(0).toArray(),
                model.model().getLayer("layer4.1.conv2").getWeights().get(0).toArray());
        model.requiresGrad(false).requiresGrad("fc", true);
        float[] conv = model.model().getLayer("layer3.0.conv1").getWeights().get(0).toArray();
        float[] mean = model.model().getLayer("bn1").getWeights().get(2).toArray();
        float[] fc = model.model().getLayer("fc").getWeights().get(0).toArray();

        Random r = new Random(2);
        Tensor x = random(r, 8, 32, 32, 3);
        Tensor y = Tensor.zeros(8, 2);
        for (int i = 0; i < 8; i++) {
            y.set(1, i, i % 2);
        }
        model.model().compile(new SGD(0.1), "mean_squared_error");
        model.model().fit(x, y, FitOptions.builder().batchSize(4).epochs(1).verbose(false).build());

        assertArrayEquals(conv, model.model().getLayer("layer3.0.conv1").getWeights().get(0).toArray(), 0f);
        assertArrayEquals(mean, model.model().getLayer("bn1").getWeights().get(2).toArray(), 0f, "frozen BN statistics");
        assertFalse(java.util.Arrays.equals(fc, model.model().getLayer("fc").getWeights().get(0).toArray()));
        assertThrows(IllegalArgumentException.class, () -> model.requiresGrad("layer9", true));
    }

    @Test
    void pthToKerasAndBackKeepsEveryWeight() throws IOException {
        Layer.setRandomSeed(12);
        TorchvisionModel model = Torchvision.create("resnet18", 5, new int[] {224, 224, 3});
        Path pth = tmp.resolve("r18.pth");
        Path h5 = tmp.resolve("r18.h5");
        Path back = tmp.resolve("back.safetensors");
        model.saveStateDict(pth);
        TorchConvert.convert("resnet18", pth, h5);
        TorchConvert.convert("resnet18", h5, back);
        StateDict original = StateDict.read(pth);
        StateDict roundTrip = StateDict.read(back);
        assertEquals(original.keys(), roundTrip.keys());
        for (String key : original.keys()) {
            assertArrayEquals(original.get(key).toFloatArray(), roundTrip.get(key).toFloatArray(), 0f, key);
        }
    }
}
