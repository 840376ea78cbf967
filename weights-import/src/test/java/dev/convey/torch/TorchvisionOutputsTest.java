package dev.convey.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.io.Npy;
import dev.convey.tensor.Tensor;

/**
 * Convey's torchvision architectures against torchvision 0.14 itself: the same seeded random weights (BatchNorm
 * statistics randomised), saved by torch.save(model.state_dict()), the same input, eval-mode logits equal to
 * 1e-4 of their RMS. The fixtures are made by PyTorch at test time (too large to commit); without PyTorch the
 * test is skipped.
 */
@Tag("slow")
class TorchvisionOutputsTest {

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50", "vgg16", "mobilenet_v2", "densenet121", "efficientnet_b0",
            "mobilenet_v3_small", "mobilenet_v3_large", "inception_v3", "squeezenet1_0", "squeezenet1_1", "googlenet"})
    void logitsEqualTorchvisions(String name) throws IOException, InterruptedException {
        Path dir = PyTorch.fixtures(name);
        TorchvisionModel model = Torchvision.load(name, dir.resolve(name + ".pth"));
        Tensor x = Npy.read(dir.resolve(name + "_input.npy"));
        float[] expected = Npy.read(dir.resolve(name + "_output.npy")).toArray();
        float[] actual = model.model().predict(x, 2).toArray();
        assertArrayEquals(new int[] {expected.length}, new int[] {actual.length});
        double rms = 0, maxError = 0;
        for (int i = 0; i < expected.length; i++) {
            rms += (double) expected[i] * expected[i];
            maxError = Math.max(maxError, Math.abs(expected[i] - actual[i]));
        }
        rms = Math.sqrt(rms / expected.length);
        System.out.printf("%s: output RMS %.4f, max |convey - torch| %.3g = %.3g of the RMS%n", name, rms, maxError,
                maxError / rms);
        assertTrue(rms > 1e-3, "a degenerate reference output");
        assertTrue(maxError <= 1e-4 * rms, name + ": max error " + maxError + " > 1e-4 * RMS " + rms);
    }
}
