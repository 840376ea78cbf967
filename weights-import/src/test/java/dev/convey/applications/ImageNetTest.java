package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

class ImageNetTest {

    @Test
    void preprocessInputMatchesTheFixtures() {
        // Keras subtracts the mean in float32 (NumPy: float32 array -= Python float keeps float32), so 117 - 116.779
        // is 0.22100067; the fixtures were rounded once from float64 (0.221). They differ by at most the rounding
        // of the mean constants (half an ulp of ~120: 2^-17) plus the rounding of the result (one ulp).
        assertClose(Fixtures.npy("tiny_input_preprocessed.npy"), ImageNet.preprocessInput(Fixtures.npy("tiny_input_rgb_uint8.npy")));
        assertClose(Fixtures.npy("input_preprocessed.npy"), ImageNet.preprocessInput(Fixtures.npy("input_rgb_uint8.npy")));
    }

    private static void assertClose(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        for (int i = 0; i < expected.size(); i++) {
            float e = expected.data().get(i);
            assertEquals(e, actual.data().get(i), 0x1p-17 + Math.ulp(e), "element " + i);
        }
    }

    @Test
    void preprocessInputSwapsToBgrAndSubtractsTheMean() {
        Tensor rgb = Tensor.of(new float[] {10, 20, 30}, 1, 1, 3);
        assertArrayEquals(new float[] {30 - 103.939f, 20 - 116.779f, 10 - 123.68f},
                ImageNet.preprocessInput(rgb).toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNet.preprocessInput(Tensor.zeros(1, 2, 2, 4)));
        assertTrue(e.getMessage().contains("(1, 2, 2, 4)"), e.getMessage());
    }

    @Test
    void decodePredictionsGivesTheTopClassesOfEachImage() {
        Tensor predictions = Fixtures.npy("tiny_resnet50_predictions.npy");
        List<List<ImageNet.Prediction>> decoded = ImageNet.decodePredictions(predictions, 3);
        assertEquals(2, decoded.size());
        // Checked with NumPy: argsort of the fixture rows and Keras' imagenet_class_index.json.
        assertEquals(new ImageNet.Prediction("n03047690", "clog", predictions.get(0, 502)), decoded.get(0).get(0));
        assertEquals(new ImageNet.Prediction("n03777754", "modem", predictions.get(0, 662)), decoded.get(0).get(1));
        assertEquals(new ImageNet.Prediction("n04523525", "vault", predictions.get(0, 884)), decoded.get(0).get(2));
        assertEquals("n03777754", decoded.get(1).get(0).wnid());
        assertEquals("clog", decoded.get(1).get(1).label());
        assertEquals(662, meta("tiny_resnet50", 1));
    }

    private static int meta(String model, int image) {
        return Fixtures.meta(model).getAsJsonArray("top1").get(image).getAsInt();
    }

    @Test
    void decodePredictionsRejectsOtherShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNet.decodePredictions(Tensor.zeros(2, 10), 5));
        assertTrue(e.getMessage().contains("(samples, 1000)") && e.getMessage().contains("(2, 10)"), e.getMessage());
    }

    @Test
    void classIndexHasTheThousandKerasClasses() {
        assertEquals(1000, ImageNet.classIndex().size());
        assertEquals(new ImageNet.ImageNetClass("n01440764", "tench"), ImageNet.classIndex().get(0));
        assertEquals(new ImageNet.ImageNetClass("n02504458", "African_elephant"), ImageNet.classIndex().get(386));
    }
}
