package dev.convey.layers;

import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.data.AffineTransforms;
import dev.convey.data.ArraySequence;
import dev.convey.data.BatchAugmentation;
import dev.convey.data.BatchSequence;
import dev.convey.data.TfResize;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras 3's Resizing, CenterCrop and augmentation layers: their outputs against the formulas of Keras' source
 * written out for chosen parameters, their documented edge cases, gradient checks (the random layers with a
 * restarted generator, so each pass draws the same), seeds, and use on a dataset.
 */
class ImagePreprocessingLayersTest {

    private static final double TOLERANCE = 2e-3;

    /** A random layer whose generator restarts before each forward pass: one fixed function to difference. */
    private static final class SameDraw extends Layer {
        private final RandomImageLayer inner;

        SameDraw(RandomImageLayer inner) {
            super("same_draw");
            this.inner = inner;
        }

        @Override
        protected int[] computeOutputShape(int[][] inputShapes) {
            return inner.computeOutputShape(inputShapes);
        }

        @Override
        protected Tensor computeForward(Tensor[] inputs, boolean training) {
            inner.restartGenerator();
            return inner.forward(inputs, training);
        }

        @Override
        protected Tensor[] computeBackward(Tensor dy, boolean[] needed, boolean weightGradients) {
            return inner.backward(dy, needed, weightGradients);
        }
    }

    private static void checkTraining(RandomImageLayer layer, Tensor x) {
        GradientCheck.of(new SameDraw(layer)).inputs(x).training(true).assertMatches(TOLERANCE);
    }

    /** An (h, w, 1) image whose pixel (y, x) is 10 y + x. */
    private static Tensor grid(int n, int h, int w) {
        Tensor t = Tensor.zeros(n, h, w, 1);
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    t.set(10 * y + x + 100 * b, b, y, x, 0);
                }
            }
        }
        return t;
    }

    private static float[] image(Tensor batch, int b) {
        int size = batch.size() / batch.dim(0);
        float[] out = new float[size];
        batch.data().get(b * size, out);
        return out;
    }

    // ---------------------------------------------------------------- inference: identity, seeds

    @Test
    void randomLayersAreTheIdentityOutsideTraining() {
        Tensor x = uniform(1, 2, 5, 6, 3);
        for (RandomImageLayer layer : List.of(new RandomFlip(), new RandomRotation(0.2), new RandomZoom(0.3),
                new RandomTranslation(0.2, 0.1), new RandomContrast(0.4))) {
            assertSame(x, layer.forward(x), layer.describe());
            Tensor dy = uniform(2, 2, 5, 6, 3);
            assertSame(dy, layer.backward(dy, new boolean[] {true}, true)[0], layer.describe());
        }
    }

    @Test
    void aSeedGivesTheSameSequenceOfOutputs() {
        Tensor x = uniform(3, 4, 6, 7, 2);
        for (int k = 0; k < 2; k++) {
            RandomRotation a = new RandomRotation(new double[] {0.3}, "constant", "bilinear", 0.5, 17L);
            RandomRotation b = new RandomRotation(new double[] {0.3}, "constant", "bilinear", 0.5, 17L);
            float[] first = a.forward(new Tensor[] {x}, true).toArray();
            assertArrayEquals(first, b.forward(new Tensor[] {x}, true).toArray());
            assertFalse(java.util.Arrays.equals(first, a.forward(new Tensor[] {x}, true).toArray()), "the next draw differs");
        }
    }

    // ---------------------------------------------------------------- RandomFlip

    @Test
    void randomFlipFlipsWholeImagesAndBothModesShareOneCoin() {
        Tensor x = uniform(4, 64, 3, 4, 2);
        for (String mode : List.of(RandomFlip.HORIZONTAL, RandomFlip.VERTICAL, RandomFlip.HORIZONTAL_AND_VERTICAL)) {
            Tensor y = new RandomFlip(mode, 5L).forward(new Tensor[] {x}, true);
            int flipped = 0;
            for (int b = 0; b < 64; b++) {
                float[] in = image(x, b);
                float[] expected = in.clone();
                if (!mode.equals(RandomFlip.VERTICAL)) {
                    AffineTransforms.flipHorizontal(expected, 3, 4, 2);
                }
                if (!mode.equals(RandomFlip.HORIZONTAL)) {
                    AffineTransforms.flipVertical(expected, 3, 4, 2);
                }
                float[] out = image(y, b);
                boolean same = java.util.Arrays.equals(in, out);
                assertTrue(same || java.util.Arrays.equals(expected, out), mode + " image " + b + " is neither kept nor flipped");
                flipped += same ? 0 : 1;
            }
            assertTrue(flipped > 16 && flipped < 48, mode + ": " + flipped + " of 64 flipped, expected about half");
        }
        assertThrows(IllegalArgumentException.class, () -> new RandomFlip("diagonal"));
        checkTraining(new RandomFlip(RandomFlip.HORIZONTAL, 3L), uniform(6, 3, 3, 4, 2));
    }

    // ---------------------------------------------------------------- RandomRotation / Zoom / Translation

    @Test
    void aQuarterTurnMovesEveryPixelExactly() {
        // factor (0.25, 0.25): a = pi / 2, cos 0, sin 1, offsets x 2 and y 0: output (x, y) reads (2 - y, x)
        Tensor x = grid(1, 3, 3);
        Tensor y = new RandomRotation(new double[] {0.25, 0.25}, "constant", "nearest", -1, 1L).forward(new Tensor[] {x}, true);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(x.get(0, c, 2 - r, 0), y.get(0, r, c, 0), 1e-4, "pixel " + r + "," + c);
            }
        }
        // bilinear gives the same on the exact grid
        Tensor z = new RandomRotation(new double[] {0.25, 0.25}, "constant", "bilinear", -1, 1L).forward(new Tensor[] {x}, true);
        assertArrayEquals(y.toArray(), z.toArray(), 1e-4f);
    }

    @Test
    void translationByOnePixelShowsEachFillModeAtTheEdge() {
        // height_factor (0.2, 0.2) on 5 rows: dy = 1, output row y reads input row y - 1; row 0 reads row -1
        Tensor x = grid(1, 5, 2);
        String[] modes = {"reflect", "wrap", "nearest", "constant"};
        float[] row0 = {0, 4, 0, -7};   // reflect: d c b a | a b c d; TF's wrap: a b c d | a; nearest: a; constant: k
        for (int m = 0; m < modes.length; m++) {
            Tensor y = new RandomTranslation(new double[] {0.2, 0.2}, new double[] {0}, modes[m], "bilinear", -7, 2L)
                    .forward(new Tensor[] {x}, true);
            assertEquals(row0[m] == -7 ? -7 : x.get(0, (int) row0[m], 1, 0), y.get(0, 0, 1, 0), 1e-5, modes[m]);
            for (int r = 1; r < 5; r++) {
                assertEquals(x.get(0, r - 1, 1, 0), y.get(0, r, 1, 0), 1e-5, modes[m] + " row " + r);
            }
        }
    }

    @Test
    void zoomOutByHalfSamplesBetweenPixelsAndKeepsTheCentre() {
        Tensor x = grid(1, 5, 5);
        Tensor y = new RandomZoom(new double[] {-0.5, -0.5}, null, "reflect", "bilinear", 0, 3L).forward(new Tensor[] {x}, true);
        // zoom 0.5 (in): x' = 0.5 x + 1, so output (0, 0) reads (1, 1), (1, 1) reads (1.5, 1.5): the mean of 4 pixels
        assertEquals(x.get(0, 2, 2, 0), y.get(0, 2, 2, 0), 1e-5);
        assertEquals(x.get(0, 1, 1, 0), y.get(0, 0, 0, 0), 1e-5);
        assertEquals((x.get(0, 1, 1, 0) + x.get(0, 1, 2, 0) + x.get(0, 2, 1, 0) + x.get(0, 2, 2, 0)) / 4, y.get(0, 1, 1, 0), 1e-4);
        // a width factor zooms the columns on their own: rows untouched when the height range is 0
        Tensor w = new RandomZoom(new double[] {0}, new double[] {-0.5, -0.5}, "reflect", "bilinear", 0, 3L)
                .forward(new Tensor[] {x}, true);
        assertEquals(x.get(0, 3, 1, 0), w.get(0, 3, 0, 0), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> new RandomZoom(1.5));
    }

    @Test
    void affineLayersMatchFiniteDifferencesInTraining() {
        checkTraining(new RandomRotation(new double[] {0.3}, "reflect", "bilinear", 0, 5L), uniform(7, 2, 5, 6, 2));
        checkTraining(new RandomRotation(new double[] {0.3}, "constant", "nearest", 0.5, 6L), uniform(8, 2, 5, 6, 2));
        checkTraining(new RandomZoom(new double[] {0.4}, new double[] {-0.2, 0.3}, "wrap", "bilinear", 0, 7L), uniform(9, 2, 6, 5, 1));
        checkTraining(new RandomTranslation(new double[] {0.3}, new double[] {0.2}, "nearest", "bilinear", 0, 8L), uniform(10, 2, 5, 5, 2));
    }

    @Test
    void aZeroFactorIsTheIdentityInTraining() {
        Tensor x = uniform(11, 2, 4, 4, 1);
        assertSame(x, new RandomRotation(0).forward(new Tensor[] {x}, true));
        assertSame(x, new RandomTranslation(0, 0).forward(new Tensor[] {x}, true));
    }

    // ---------------------------------------------------------------- RandomContrast

    @Test
    void randomContrastScalesEachImageAboutItsChannelMeans() {
        Tensor x = uniform(12, 4, 3, 5, 2);
        RandomContrast layer = new RandomContrast(new double[] {0.5, 0.5}, new double[] {-10, 10}, 9L);
        Tensor y = layer.forward(new Tensor[] {x}, true);
        for (int b = 0; b < 4; b++) {
            double[] mean = new double[2];
            for (int i = 0; i < 15; i++) {
                mean[0] += x.get(b, i / 5, i % 5, 0) / 15;
                mean[1] += x.get(b, i / 5, i % 5, 1) / 15;
            }
            double k = (y.get(b, 0, 0, 0) - mean[0]) / (x.get(b, 0, 0, 0) - mean[0]);
            assertTrue(k >= 0.5 && k <= 1.5, "k = " + k);
            for (int i = 0; i < 15; i++) {
                for (int c = 0; c < 2; c++) {
                    assertEquals((x.get(b, i / 5, i % 5, c) - mean[c]) * k + mean[c], y.get(b, i / 5, i % 5, c), 1e-4);
                }
            }
        }
        // a single number f is Keras 3's (0, f): k in [1, 1 + f]; values clip to value_range
        assertEquals(List.of(0.0, 0.3), new RandomContrast(0.3).getConfig().get("factor"));
        Tensor big = Tensor.full(300f, 1, 2, 2, 1);
        big.set(0f, 0, 0, 0, 0);
        Tensor clipped = new RandomContrast(0.3).forward(new Tensor[] {big}, true);
        assertEquals(255f, clipped.get(0, 1, 1, 0));
        checkTraining(new RandomContrast(new double[] {0.5, 0.5}, new double[] {-10, 10}, 4L), uniform(13, 2, 3, 4, 2));
        // the clip passes no gradient: k = 1 (factor 0) and inputs at least 0.025 from the clip bounds
        checkTraining(new RandomContrast(new double[] {0, 0}, new double[] {-0.5, 0.5}, 4L), TestTensors.distinct(14, 2, 3, 4, 2));
    }

    // ---------------------------------------------------------------- RandomCrop, CenterCrop, Resizing

    @Test
    void randomCropTakesOneWindowPerBatchAndFallsBackToTheCentredResize() {
        Tensor x = grid(3, 6, 7);
        Tensor y = new RandomCrop(3, 4, 10L).forward(new Tensor[] {x}, true);
        assertArrayEquals(new int[] {3, 3, 4, 1}, y.shape());
        int y0 = (int) (y.get(0, 0, 0, 0) / 10);
        int x0 = (int) (y.get(0, 0, 0, 0) % 10);
        for (int b = 0; b < 3; b++) {
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    assertEquals(x.get(b, y0 + r, x0 + c, 0), y.get(b, r, c, 0));
                }
            }
        }
        // inference: the largest centred 3:4 window (int(7 * 3 / 4) = 5 rows, min(7, int(6 * 4 / 3)) = 7 columns),
        // resized: what Resizing with crop_to_aspect_ratio gives
        Tensor inference = new RandomCrop(3, 4, 10L).forward(x);
        Tensor resized = new Resizing(3, 4, "bilinear", true, false, 0).forward(x);
        assertArrayEquals(resized.toArray(), inference.toArray());
        checkTraining(new RandomCrop(3, 4, 10L), uniform(15, 2, 6, 7, 2));
        checkTraining(new RandomCrop(8, 4, 10L), uniform(16, 2, 6, 7, 2));
        GradientCheck.of(new RandomCrop(3, 4, 10L)).inputs(uniform(17, 2, 6, 7, 1)).assertMatches(TOLERANCE);
    }

    @Test
    void centerCropSlicesTheCentreOrSmartResizesASmallerImage() {
        Tensor x = grid(2, 7, 6);
        Tensor y = new CenterCrop(4, 3).forward(x);
        // offsets int((7 - 4) / 2) = 1 and int((6 - 3) / 2) = 1
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(x.get(1, 1 + r, 1 + c, 0), y.get(1, r, c, 0));
            }
        }
        Tensor small = new CenterCrop(8, 6).forward(x);
        assertArrayEquals(new Resizing(8, 6, "bilinear", true, false, 0).forward(x).toArray(), small.toArray());
        GradientCheck.of(new CenterCrop(4, 3)).inputs(uniform(18, 2, 7, 6, 2)).assertMatches(TOLERANCE);
        GradientCheck.of(new CenterCrop(8, 5)).inputs(uniform(19, 2, 7, 6, 2)).assertMatches(TOLERANCE);
    }

    @Test
    void resizingIsTensorFlowsHalfPixelResize() {
        // [0, 1] to 4 columns: sources -0.25, 0.25, 0.75, 1.25 clamped -> 0, 0.25, 0.75, 1
        Tensor row = Tensor.of(new float[] {0, 1}, 1, 1, 2, 1);
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, new Resizing(1, 4).forward(row).toArray());
        assertArrayEquals(new float[] {0, 0, 1, 1}, new Resizing(1, 4, "nearest", false, false, 0).forward(row).toArray());
        // crop: the resize of the centred window; pad: the resize of the image padded with fill_value
        Tensor x = uniform(20, 2, 4, 6, 2);
        Tensor padded = Tensor.full(0.5f, 2, 6, 6, 2);   // 4x6 to a 1:1 target: pH = 6, t = 1 row above and below
        for (int b = 0; b < 2; b++) {
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 6; c++) {
                    for (int ch = 0; ch < 2; ch++) {
                        padded.set(x.get(b, r, c, ch), b, r + 1, c, ch);
                    }
                }
            }
        }
        assertArrayEquals(new Resizing(3, 3).forward(padded).toArray(),
                new Resizing(3, 3, "bilinear", false, true, 0.5).forward(x).toArray(), 1e-6f);
        Tensor window = Tensor.zeros(2, 4, 4, 2);   // 4x6 to 1:1: crop 4 x 4 at column int(2 / 2) = 1
        for (int b = 0; b < 2; b++) {
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    for (int ch = 0; ch < 2; ch++) {
                        window.set(x.get(b, r, c + 1, ch), b, r, c, ch);
                    }
                }
            }
        }
        assertArrayEquals(new Resizing(3, 3).forward(window).toArray(),
                new Resizing(3, 3, "bilinear", true, false, 0).forward(x).toArray(), 1e-6f);
        assertArrayEquals(new int[] {3, 5, 2}, new Resizing(3, 5).build(new int[] {Shapes.UNKNOWN, Shapes.UNKNOWN, 2}));
        assertThrows(IllegalArgumentException.class, () -> new Resizing(3, 3, "bicubic", false, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Resizing(3, 3, "bilinear", true, true, 0));
        for (boolean[] mode : new boolean[][] {{false, false}, {true, false}, {false, true}}) {
            GradientCheck.of(new Resizing(5, 3, "bilinear", mode[0], mode[1], 0.5)).inputs(uniform(21, 2, 4, 6, 2))
                    .assertMatches(TOLERANCE);
        }
        GradientCheck.of(new Resizing(7, 3, "nearest", false, false, 0)).inputs(uniform(22, 2, 4, 6, 2)).assertMatches(TOLERANCE);
    }

    // ---------------------------------------------------------------- on a dataset

    @Test
    void augmentationLayersAugmentADatasetReproducibly() {
        Tensor x = uniform(23, 8, 5, 5, 1);
        Tensor y = Tensor.zeros(8, 2);
        BatchSequence source = new ArraySequence(x, y, 4, false, 0L);
        BatchSequence augmented = BatchAugmentation.on(source, 42L, new RandomFlip(RandomFlip.HORIZONTAL), new RandomRotation(0.1));
        float[] first = augmented.get(1).x().toArray();
        assertArrayEquals(first, augmented.get(1).x().toArray(), "batch 1 again: the same draw");
        assertFalse(java.util.Arrays.equals(first, source.get(1).x().toArray()), "the images were augmented");
        BatchSequence again = BatchAugmentation.on(new ArraySequence(x, y, 4, false, 0L), 42L,
                new RandomFlip(RandomFlip.HORIZONTAL), new RandomRotation(0.1));
        assertArrayEquals(first, again.get(1).x().toArray(), "the same seed gives the same batches");
        augmented.onEpochEnd();
        assertFalse(java.util.Arrays.equals(first, augmented.get(1).x().toArray()), "the next epoch draws again");
    }

    @Test
    void theLayersNeedImages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomFlip().build(new int[] {4, 3}));
        assertTrue(e.getMessage().contains("(batch, height, width, channels)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CenterCrop(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(new double[] {1.5}, "reflect", "bilinear", 0, null));
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(new double[] {0.1}, "mirror", "bilinear", 0, null));
        assertThrows(IllegalArgumentException.class, () -> new RandomZoom(new double[] {0.1}, null, "reflect", "bicubic", 0, null));
    }

    @Test
    void tfResizeAdjointIsTheTransposeOfTheResize() {
        // <resize(a), b> = <a, resize^T(b)> for random a and b
        int h = 4;
        int w = 5;
        float[] a = uniform(24, h * w * 2).toArray();
        float[] b = uniform(25, 3 * 7 * 2).toArray();
        for (TfResize.Method m : TfResize.Method.values()) {
            float[] ra = new float[3 * 7 * 2];
            TfResize.resize((i, j, ch) -> a[(i * w + j) * 2 + ch], 0, 0, h, w, 2, 3, 7, m, ra, 0);
            float[] rtb = new float[h * w * 2];
            TfResize.resizeBackward(b, 0, 0, 0, h, w, 2, 3, 7, m, rtb, 0, w);
            double left = 0;
            double right = 0;
            for (int i = 0; i < ra.length; i++) {
                left += (double) ra[i] * b[i];
            }
            for (int i = 0; i < a.length; i++) {
                right += (double) a[i] * rtb[i];
            }
            assertEquals(left, right, 1e-5, m.name());
        }
    }

    @Test
    void seedsAreInTheConfig() {
        assertEquals(7L, new RandomFlip(RandomFlip.VERTICAL, 7L).getConfig().get("seed"));
        assertEquals(RandomFlip.VERTICAL, new RandomFlip(RandomFlip.VERTICAL, 7L).getConfig().get("mode"));
        assertEquals(List.of(-0.2, 0.2), new RandomRotation(0.2).getConfig().get("factor"));
        assertEquals(0.2, new RandomZoom(0.2).getConfig().get("height_factor"));
    }
}
