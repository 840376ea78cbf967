package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class AffineTransformsTest {

    // 3x3 single-channel image 1..9.
    private static final float[] NINE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

    private static float[] keras(float[] image, int h, int w, double theta, double tx, double ty, double shear,
                                 double zx, double zy, FillMode fill, int order) {
        double[] m = AffineTransforms.kerasMatrix(theta, tx, ty, shear, zx, zy, h, w);
        return AffineTransforms.transform(image, h, w, 1, m, fill, -1f, order);
    }

    @Test
    void flipsMirrorColumnsOrRows() {
        float[] twoChannels = {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60}; // 2x3x2
        float[] h = twoChannels.clone();
        AffineTransforms.flipHorizontal(h, 2, 3, 2);
        assertArrayEquals(new float[] {3, 30, 2, 20, 1, 10, 6, 60, 5, 50, 4, 40}, h);
        float[] v = twoChannels.clone();
        AffineTransforms.flipVertical(v, 2, 3, 2);
        assertArrayEquals(new float[] {4, 40, 5, 50, 6, 60, 1, 10, 2, 20, 3, 30}, v);
    }

    @Test
    void heightShiftOfOnePixelPullsTheNextRowUp() {
        // tx = 1: out[r][c] = in[r + 1][c]; the last row reads row 3, outside: nearest repeats row 2, constant = cval.
        for (int order = 0; order <= 1; order++) {
            assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 7, 8, 9},
                    keras(NINE, 3, 3, 0, 1, 0, 0, 1, 1, FillMode.NEAREST, order));
            assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, -1, -1, -1},
                    keras(NINE, 3, 3, 0, 1, 0, 0, 1, 1, FillMode.CONSTANT, order));
            // Reflect about the edge: row 3 mirrors row 2.
            assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 7, 8, 9},
                    keras(NINE, 3, 3, 0, 1, 0, 0, 1, 1, FillMode.REFLECT, order));
        }
    }

    @Test
    void widthShiftOfMinusOnePixelMovesContentRight() {
        // ty = -1: out[r][c] = in[r][c - 1]; column -1 is outside. SciPy's wrap has period n - 1 = 2: -1 -> 1.
        assertArrayEquals(new float[] {-1, 1, 2, -1, 4, 5, -1, 7, 8},
                keras(NINE, 3, 3, 0, 0, -1, 0, 1, 1, FillMode.CONSTANT, 1));
        assertArrayEquals(new float[] {2, 1, 2, 5, 4, 5, 8, 7, 8},
                keras(NINE, 3, 3, 0, 0, -1, 0, 1, 1, FillMode.WRAP, 0));
    }

    @Test
    void rotationBy90DegreesTurnsTheImageClockwise() {
        // R(90) about the centre (1, 1): input row = 2 - c, input col = r, so out[r][c] = in[2 - c][r].
        float[] expected = {7, 4, 1, 8, 5, 2, 9, 6, 3};
        assertArrayEquals(expected, keras(NINE, 3, 3, 90, 0, 0, 0, 1, 1, FillMode.NEAREST, 1), 1e-4f);
        assertArrayEquals(expected, keras(NINE, 3, 3, 90, 0, 0, 0, 1, 1, FillMode.NEAREST, 0));
    }

    @Test
    void zoomBelowOneEnlargesAroundTheCentre() {
        // 4x4 image 100 r + 10 c; zx = zy = 0.5 about the centre 1.5: input = 0.5 * out + 0.75 on both axes, and
        // bilinear sampling of a linear image gives 100 (0.5 r + 0.75) + 10 (0.5 c + 0.75).
        float[] ramp = new float[16];
        float[] expected = new float[16];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                ramp[4 * r + c] = 100 * r + 10 * c;
                expected[4 * r + c] = 100 * (0.5f * r + 0.75f) + 10 * (0.5f * c + 0.75f);
            }
        }
        assertArrayEquals(expected, keras(ramp, 4, 4, 0, 0, 0, 0, 0.5, 0.5, FillMode.NEAREST, 1), 1e-4f);
    }

    @Test
    void neutralParametersGiveNoMatrix() {
        assertNull(AffineTransforms.kerasMatrix(0, 0, 0, 0, 1, 1, 5, 5));
    }

    @Test
    void composedTransformMatchesScipyInEveryFillMode() {
        float[] x = ScipyReference.AFFINE_IN_4X5;
        Object[][] cases = {
            {FillMode.NEAREST, 0, ScipyReference.AFFINE_NEAREST_0}, {FillMode.CONSTANT, 0, ScipyReference.AFFINE_CONSTANT_0},
            {FillMode.REFLECT, 0, ScipyReference.AFFINE_REFLECT_0}, {FillMode.WRAP, 0, ScipyReference.AFFINE_WRAP_0},
            {FillMode.NEAREST, 1, ScipyReference.AFFINE_NEAREST_1}, {FillMode.CONSTANT, 1, ScipyReference.AFFINE_CONSTANT_1},
            {FillMode.REFLECT, 1, ScipyReference.AFFINE_REFLECT_1}, {FillMode.WRAP, 1, ScipyReference.AFFINE_WRAP_1},
        };
        for (Object[] c : cases) {
            float[] out = keras(x, 4, 5, 30, 0.7, -1.2, 10, 0.8, 1.3, (FillMode) c[0], (Integer) c[1]);
            assertArrayEquals((float[]) c[2], out, 1e-3f, c[0] + " order " + c[1]);
        }
        Object[][] zoomOut = {
            {FillMode.NEAREST, ScipyReference.ZOOMOUT_NEAREST_1}, {FillMode.CONSTANT, ScipyReference.ZOOMOUT_CONSTANT_1},
            {FillMode.REFLECT, ScipyReference.ZOOMOUT_REFLECT_1}, {FillMode.WRAP, ScipyReference.ZOOMOUT_WRAP_1},
        };
        for (Object[] c : zoomOut) {
            float[] out = keras(x, 4, 5, 0, 0, 0, 0, 1.9, 1.7, (FillMode) c[0], 1);
            assertArrayEquals((float[]) c[1], out, 1e-3f, "zoom out, " + c[0]);
        }
    }
}
