package dev.convey.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.data.Images.Pixels;
import dev.convey.io.Npy;
import dev.convey.tensor.Tensor;

/** torchvision's transforms against the pixels torchvision 0.14 / Pillow 9.4 made (make_transform_fixtures.py). */
class TorchTransformsTest {

    static Tensor npy(String name) throws IOException {
        return Npy.read(TorchReadersTest.fixture(name + ".npy"));
    }

    static Pixels pixels(String name) throws IOException {
        Tensor t = npy(name);
        float[] v = t.toArray();
        int[] values = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            values[i] = Math.round(v[i]);
        }
        return new Pixels(t.dim(0), t.dim(1), t.dim(2), values);
    }

    static void assertSamePixels(Pixels expected, Pixels actual) {
        assertEquals(expected.height(), actual.height(), "height");
        assertEquals(expected.width(), actual.width(), "width");
        assertArrayEquals(expected.values(), actual.values());
    }

    @Test
    void resizeSetsTheShorterSideWithPillowsAntialiasedBilinear() throws IOException {
        Pixels input = pixels("tf_input");
        assertSamePixels(pixels("tf_resize64"), TorchTransforms.resize(input, 64));     // 90x130 -> 64x92
        assertSamePixels(pixels("tf_resize128"), TorchTransforms.resize(input, 128));   // -> 128x184
    }

    @Test
    void centerCropRoundsHalfToEvenAndPadsSmallImages() throws IOException {
        Pixels input = pixels("tf_input");
        assertSamePixels(pixels("tf_resize64_crop56"), TorchTransforms.centerCrop(TorchTransforms.resize(input, 64), 56, 56));
        assertSamePixels(pixels("tf_crop100"), TorchTransforms.centerCrop(input, 100, 100));
    }

    @Test
    void evalPipelineEqualsToTensorAndNormalize() throws IOException {
        float[] expected = npy("tf_eval").toArray();
        Tensor actual = TorchTransforms.imagenetEval(pixels("tf_input"), 64, 56);
        assertArrayEquals(new int[] {56, 56, 3}, actual.shape());
        assertArrayEquals(expected, actual.toArray(), 1e-6f);
    }

    @Test
    void resizedCropIsCropThenResize() throws IOException {
        assertSamePixels(pixels("tf_resized_crop"),
                RandomResizedCrop.resizedCrop(pixels("tf_input"), 10, 20, 50, 70, 40, 40));
    }

    @Test
    void randomResizedCropDrawsInsideTheImageWithinScaleAndRatio() {
        Random random = new Random(4);
        double meanScale = 0;
        int n = 2000;
        for (int i = 0; i < n; i++) {
            int[] r = RandomResizedCrop.DEFAULT.sample(90, 130, random);
            assertTrue(r[0] >= 0 && r[1] >= 0 && r[0] + r[2] <= 90 && r[1] + r[3] <= 130, java.util.Arrays.toString(r));
            double scale = (double) r[2] * r[3] / (90 * 130);
            double ratio = (double) r[3] / r[2];
            assertTrue(scale <= 1.0 + 1e-9 && scale > 0.05, "scale " + scale);
            assertTrue(ratio > 0.65 && ratio < 1.5, "ratio " + ratio);
            meanScale += scale / n;
        }
        // torchvision's own RandomResizedCrop.get_params on a 90x130 image: mean area fraction 0.407 over 20000
        // draws (large crops of extreme aspect do not fit and are redrawn); 2000 draws here: standard error 0.006
        assertEquals(0.407, meanScale, 0.02);
        // fallback: a 1x100 strip never fits the ratio; the centre crop with the extreme ratio is returned
        assertArrayEquals(new int[] {0, 49, 1, 1}, RandomResizedCrop.DEFAULT.sample(1, 100, new Random(1)));
    }

    @Test
    void horizontalFlipMirrorsEachRow() {
        Pixels p = new Pixels(1, 3, 2, new int[] {1, 2, 3, 4, 5, 6});
        assertArrayEquals(new int[] {5, 6, 3, 4, 1, 2}, TorchTransforms.horizontalFlip(p).values());
        int flipped = 0;
        Random random = new Random(9);
        for (int i = 0; i < 1000; i++) {
            flipped += TorchTransforms.randomHorizontalFlip(p, 0.5, random) != p ? 1 : 0;
        }
        assertEquals(500, flipped, 60);
    }
}
