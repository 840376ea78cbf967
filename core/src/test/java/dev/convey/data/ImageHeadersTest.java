package dev.convey.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ImageHeadersTest {

    @TempDir
    Path dir;

    private String error(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Images.load(file));
        return e.getMessage().replace(file.toString(), "FILE");
    }

    /** PNG signature, an IHDR chunk declaring width x height RGB, an IEND chunk: 45 bytes. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes()).putInt(width).putInt(height)
                .put(new byte[] {8, 2, 0, 0, 0}).array();
        CRC32 crc = new CRC32();
        crc.update(ihdr);
        b.putInt(13).put(ihdr).putInt((int) crc.getValue());
        crc.reset();
        crc.update("IEND".getBytes());
        b.putInt(0).put("IEND".getBytes()).putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void aDecompressionBombIsRefusedBeforeDecoding() throws IOException {
        assertEquals("java.io.IOException: Cannot decode image FILE: its PNG header declares 50000x50000 = 2500000000"
                + " pixels, more than the limit of 89478485 (a decompression bomb? ImageHeaders.setMaxPixels or"
                + " -Dconvey.images.maxPixels raises it)", error("bomb.png", pngHeader(50_000, 50_000)));
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 4, 0, 0, (byte) 0xFF, (byte) 0xC0, 0, 11, 8,
                (byte) 0xC3, 0x50, (byte) 0xC3, 0x50, 1, 1, 0x11, 0, (byte) 0xFF, (byte) 0xD9};
        assertEquals("java.io.IOException: Cannot decode image FILE: its JPEG header declares 50000x50000 = 2500000000"
                + " pixels, more than the limit of 89478485 (a decompression bomb? ImageHeaders.setMaxPixels or"
                + " -Dconvey.images.maxPixels raises it)", error("bomb.jpg", jpeg));
        ByteBuffer gif = ByteBuffer.allocate(27).order(ByteOrder.LITTLE_ENDIAN);
        gif.put("GIF89a".getBytes()).putShort((short) 10).putShort((short) 10).put(new byte[3]);
        gif.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) 60000).putShort((short) 60000)
                .put((byte) 0).put(new byte[] {2, 0, 0x3B});
        assertEquals("java.io.IOException: Cannot decode image FILE: its GIF header declares 60000x60000 = 3600000000"
                + " pixels, more than the limit of 89478485 (a decompression bomb? ImageHeaders.setMaxPixels or"
                + " -Dconvey.images.maxPixels raises it)", error("bomb.gif", gif.array()));
        ByteBuffer bmp = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
        bmp.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54).putInt(40).putInt(30000).putInt(-40000);
        assertEquals("java.io.IOException: Cannot decode image FILE: its BMP header declares 30000x40000 = 1200000000"
                + " pixels, more than the limit of 89478485 (a decompression bomb? ImageHeaders.setMaxPixels or"
                + " -Dconvey.images.maxPixels raises it)", error("bomb.bmp", bmp.array()));
    }

    @Test
    void anImageLargerThanTheHeapIsRefusedWithTheHeapItNeeds() throws IOException {
        ImageHeaders.setMaxPixels(Long.MAX_VALUE);
        try {
            String message = error("huge.png", pngHeader(60_000, 60_000));
            assertEquals("java.io.IOException: Cannot decode image FILE: 60000x60000 pixels need about 54931 MB of heap"
                    + " to decode; ", message.substring(0, message.indexOf("; ") + 2));
        } finally {
            ImageHeaders.setMaxPixels(ImageHeaders.DEFAULT_MAX_PIXELS);
        }
    }

    @Test
    void emptyTruncatedAndZeroSizedImagesAreNamed() throws IOException {
        assertEquals("java.io.IOException: Cannot decode image FILE: the file is empty (0 bytes)",
                error("empty.jpg", new byte[0]));
        BufferedImage image = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        byte[] cut = Arrays.copyOf(png.toByteArray(), png.size() - 12);
        assertEquals("java.io.IOException: Cannot decode image FILE: the file is truncated: " + cut.length
                + " bytes, and its PNG data ends without the IEND chunk", error("cut.png", cut));
        ByteArrayOutputStream jpg = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", jpg);
        byte[] cutJpeg = Arrays.copyOf(jpg.toByteArray(), jpg.size() / 2);
        assertEquals("java.io.IOException: Cannot decode image FILE: the file is truncated: " + cutJpeg.length
                + " bytes, and its JPEG data ends without the end-of-image marker", error("cut.jpg", cutJpeg));
        assertEquals("java.io.IOException: Cannot decode image FILE: the file is truncated: 10 bytes, inside its PNG"
                + " header", error("head.png", Arrays.copyOf(pngHeader(5, 5), 10)));
        assertEquals("java.io.IOException: Cannot decode image FILE: its PNG header declares 0x5 pixels",
                error("zero.png", pngHeader(0, 5)));
        assertEquals("java.io.IOException: Cannot decode image FILE: a corrupt JPEG header: no frame header (SOF)"
                + " before byte 2", error("nosof.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDA,
                        0, 2, (byte) 0xFF, (byte) 0xD9}));
    }

    @Test
    void aValidImageKeepsItsSize() throws IOException {
        BufferedImage image = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);
        for (String format : new String[] {"png", "jpg", "gif", "bmp"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, format, out);
            Path file = dir.resolve("ok." + format);
            Files.write(file, out.toByteArray());
            assertEquals(new ImageHeaders.Header(format.equals("jpg") ? "JPEG" : format.toUpperCase(), 20, 10),
                    ImageHeaders.check(file));
        }
    }
}
