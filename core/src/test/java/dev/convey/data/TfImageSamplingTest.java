package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.convey.io.Npy;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/** TensorFlow's fill modes and projective resampling, as image_ops.h computes them. */
class TfImageSamplingTest {

    /**
     * Rotation, zoom, translation and a projective map of a 6 x 7 x 2 image in TF's constant (fill 0), nearest and
     * reflect modes against PyTorch's grid_sample, an independent sampler with the same three edge rules
     * (core/src/test/python/projective_transform_references.py).
     */
    @Test
    void bilinearResamplingEqualsPyTorchsGridSample() throws java.io.IOException {
        Tensor image = Npy.read(TestData.file("images/tf_projective/image.npy"));
        float[] in = image.toArray();
        for (String transform : new String[] {"rotation", "zoom", "translation", "projective"}) {
            float[] t = Npy.read(TestData.file("images/tf_projective/" + transform + ".transform.npy")).toArray();
            for (FillMode mode : new FillMode[] {FillMode.CONSTANT, FillMode.NEAREST, FillMode.REFLECT}) {
                String name = transform + "." + mode.name().toLowerCase(java.util.Locale.ROOT);
                float[] expected = Npy.read(TestData.file("images/tf_projective/" + name + ".npy")).toArray();
                float[] out = new float[in.length];
                ProjectiveTransform.apply(in, 0, 6, 7, 2, t, mode, 0f, true, out, 0);
                assertArrayEquals(expected, out, 1e-5f, name);
            }
        }
    }

    @Test
    void fillModesMapPositionsAsTensorFlowDoes() {
        // a row of 4 pixels: reflect d c b a | a b c d | d c b a; wrap a b c d | a b c d, then clamped to [0, 3]
        float[][] cases = {
                // p, reflect, wrap, nearest, constant
                {-0.5f, 0f, 3f, 0f, -0.5f},
                {-1.5f, 0.5f, 2.5f, 0f, -1.5f},
                {4.5f, 2.5f, 0.5f, 3f, 4.5f},
                {-5f, 3f, 3f, 0f, -5f},
                {9f, 1f, 0f, 3f, 9f},   // TF's wrap: 9 - 4 * int(9 / 3) = -3, clamped to 0 (not 9 mod 4)
                {2.25f, 2.25f, 2.25f, 2.25f, 2.25f}};
        for (float[] c : cases) {
            assertEquals(c[1], FillMode.REFLECT.tfMapCoordinate(c[0], 4), 1e-6, "reflect " + c[0]);
            assertEquals(c[2], FillMode.WRAP.tfMapCoordinate(c[0], 4), 1e-6, "wrap " + c[0]);
            assertEquals(c[3], FillMode.NEAREST.tfMapCoordinate(c[0], 4), 1e-6, "nearest " + c[0]);
            assertEquals(c[4], FillMode.CONSTANT.tfMapCoordinate(c[0], 4), 1e-6, "constant " + c[0]);
        }
        assertEquals(0f, FillMode.REFLECT.tfMapCoordinate(-3f, 1));
    }

    @Test
    void constantFillBlendsTheFillValueTapByTap() {
        // a 1 x 2 image [1, 3] moved right by half a pixel: x' = x - 0.5; bilinear taps outside read k = 10
        float[] in = {1, 3};
        float[] out = new float[2];
        ProjectiveTransform.apply(in, 0, 1, 2, 1, new float[] {1, 0, -0.5f, 0, 1, 0, 0, 0}, FillMode.CONSTANT, 10f, true, out, 0);
        // row y' = 0 exactly: (0.5 * k + 0.5 * 1), then (0.5 * 1 + 0.5 * 3)
        assertArrayEquals(new float[] {5.5f, 2f}, out, 1e-6f);
        // nearest rounds halves away from zero: x' = -0.5 reads pixel -1 (the fill), x' = 0.5 reads pixel 1
        ProjectiveTransform.apply(in, 0, 1, 2, 1, new float[] {1, 0, -0.5f, 0, 1, 0, 0, 0}, FillMode.CONSTANT, 10f, false, out, 0);
        assertArrayEquals(new float[] {10f, 3f}, out);
        // a projective row with k = 0 at x = 1 gives the fill there
        ProjectiveTransform.apply(in, 0, 1, 2, 1, new float[] {1, 0, 0, 0, 1, 0, -1, 0}, FillMode.NEAREST, 7f, false, out, 0);
        assertEquals(7f, out[1]);
    }
}
