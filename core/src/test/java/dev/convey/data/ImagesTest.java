package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {

    @TempDir
    Path tmp;

    @Test
    void nearestResizeIsPillowsMappingIncludingItsAccumulatedRounding() {
        // 4x8 image with value 10 * row + col, resized to 6x7.
        int[] values = new int[32];
        for (int i = 0; i < 32; i++) {
            values[i] = 10 * (i / 8) + i % 8;
        }
        Images.Pixels out = Images.resize(new Images.Pixels(4, 8, 1, values), 6, 7, Interpolation.NEAREST);
        assertArrayEquals(PillowReference.NEAREST_IN_4X8_OUT_6X7, out.values());
        // Row 4 of 6 from 4 rows: (4 + 0.5) * 4 / 6 = 3 exactly, but Pillow's accumulated position is 2.999...
        assertArrayEquals(new int[] {0, 1, 1, 2, 2, 3}, Images.nearestSourceIndex(4, 6));
        assertArrayEquals(new int[] {0, 1, 2, 3, 5, 6, 7}, Images.nearestSourceIndex(8, 7));
    }

    @Test
    void filteredResizeMatchesPillowWhenShrinkingAndEnlarging() {
        Images.Pixels gray = new Images.Pixels(5, 7, 1, PillowReference.GRAY_5X7);
        assertArrayEquals(PillowReference.BILINEAR_DOWN_3X4, Images.resize(gray, 3, 4, Interpolation.BILINEAR).values());
        assertArrayEquals(PillowReference.BILINEAR_UP_8X9, Images.resize(gray, 8, 9, Interpolation.BILINEAR).values());
        assertArrayEquals(PillowReference.BICUBIC_DOWN_3X4, Images.resize(gray, 3, 4, Interpolation.BICUBIC).values());
        assertArrayEquals(PillowReference.BICUBIC_UP_8X9, Images.resize(gray, 8, 9, Interpolation.BICUBIC).values());
        assertArrayEquals(PillowReference.LANCZOS_DOWN_3X4, Images.resize(gray, 3, 4, Interpolation.LANCZOS).values());
        assertArrayEquals(PillowReference.LANCZOS_UP_8X9, Images.resize(gray, 8, 9, Interpolation.LANCZOS).values());
    }

    @Test
    void rgbResizeAndLumaMatchPillow() {
        Images.Pixels rgb = new Images.Pixels(3, 4, 3, PillowReference.RGB_3X4X3);
        assertArrayEquals(PillowReference.RGB_BILINEAR_2X3, Images.resize(rgb, 2, 3, Interpolation.BILINEAR).values());
        assertArrayEquals(PillowReference.RGB_TO_L, Images.toLuma(rgb).values());
    }

    @Test
    void decodesPngPixelsExactlyAsFloatsInRgbAndGrayscale() throws Exception {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] rgb = {0x102030, 0xFF0000, 0x00FF00, 0x0000FF, 0x808080, 0xFFFFFF};
        for (int i = 0; i < 6; i++) {
            image.setRGB(i % 3, i / 3, rgb[i]);
        }
        Path file = tmp.resolve("small.png");
        ImageIO.write(image, "png", file.toFile());

        Tensor t = Images.load(file);
        assertArrayEquals(new int[] {2, 3, 3}, t.shape());
        assertArrayEquals(new float[] {16, 32, 48, 255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128, 255, 255, 255},
                t.toArray());
        // Luma of (16, 32, 48): (16 * 19595 + 32 * 38470 + 48 * 7471 + 32768) >> 16 = 29.
        Tensor g = Images.load(file, ColorMode.GRAYSCALE, 0, 0, Interpolation.NEAREST);
        assertArrayEquals(new int[] {2, 3, 1}, g.shape());
        assertEquals(29f, g.get(0, 0, 0));
        assertEquals(76f, g.get(0, 1, 0)); // pure red: (255 * 19595 + 32768) >> 16
    }

    @Test
    void grayPngKeepsItsValues() throws Exception {
        // Java's getRGB would gamma-convert linear gray; Keras (Pillow) keeps the stored values.
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(0, 0, 0, 50);
        image.getRaster().setSample(1, 0, 0, 200);
        Path file = tmp.resolve("gray.png");
        ImageIO.write(image, "png", file.toFile());
        assertArrayEquals(new float[] {50, 50, 50, 200, 200, 200}, Images.load(file).toArray());
    }

    @Test
    void loadResizesToTheTargetSize() {
        Path elephant = TestData.file("images/elephant.jpg");
        Tensor t = Images.load(elephant, 224, 224, Interpolation.BILINEAR);
        assertArrayEquals(new int[] {224, 224, 3}, t.shape());
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : t.toArray()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= 0 && max <= 255 && max > min, "values in 0..255, got " + min + ".." + max);
    }

    @Test
    void undecodableFileIsAClearErrorNamingIt() throws Exception {
        Path bogus = tmp.resolve("not-an-image.jpg");
        Files.writeString(bogus, "<html>404</html>");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Images.load(bogus));
        assertTrue(e.getMessage().contains(bogus.toString()), e.getMessage());
        assertTrue(!Images.isDecodable(bogus));
    }

    @Test
    void hymenopteraPlaceholderGifDecodes() {
        Optional<Path> dir = TestData.shared("datasets/hymenoptera");
        Assumptions.assumeTrue(dir.isPresent(), "../shared/datasets/hymenoptera is absent");
        Path gif = dir.get().resolve("train/ants/imageNotFound.gif");
        assertTrue(Images.isDecodable(gif));
        assertArrayEquals(new int[] {300, 300, 3}, Images.load(gif).shape());
    }
}
