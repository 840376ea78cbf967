package dev.convey.fuzz;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.testdata.TestData;

/**
 * Fuzzing of image decoding ({@code Images.load}): byte-level mutations of a real JPEG and of PNG, GIF, BMP and
 * JPEG files written here, decompression bombs (headers declaring up to 65535x65535 pixels), truncations and
 * empty files, each read in a child JVM with a 256 MB heap; no crash, no hang, no unclear error.
 * {@code -Dfuzz.images=N -Dfuzz.seed=S}.
 */
@Tag("slow")
class ImageFuzzTest {

    @TempDir
    Path folder;

    @Test
    void mutatedImagesGiveClearErrors() throws Exception {
        long seed = Long.getLong("fuzz.seed", 17);
        int count = Integer.getInteger("fuzz.images", 300);
        Random random = new Random(seed);
        List<byte[]> sources = new ArrayList<>();
        List<String> formats = new ArrayList<>();
        sources.add(Files.readAllBytes(TestData.file("images/elephant.jpg")));
        formats.add("jpg");
        BufferedImage picture = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                picture.setRGB(x, y, (x * 6 << 16) | (y * 8 << 8) | ((x + y) * 3));
            }
        }
        for (String format : List.of("png", "gif", "bmp", "jpg")) {
            sources.add(encode(picture, format));
            formats.add(format);
        }
        ByteMutator bytes = new ByteMutator(random);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int s = random.nextInt(sources.size());
            String kind;
            byte[] content;
            int choice = random.nextInt(10);
            if (choice == 0) {
                kind = "bomb";
                content = bomb(formats.get(s), random);
            } else if (choice == 1) {
                kind = random.nextBoolean() ? "empty" : "cut";
                content = kind.equals("empty") ? new byte[0]
                        : Arrays.copyOf(sources.get(s), random.nextInt(sources.get(s).length));
            } else {
                ByteMutator.Mutation m = bytes.mutate(sources.get(s));
                kind = m.kind();
                content = m.bytes();
            }
            Path file = folder.resolve(String.format("i%05d-%s.%s", i, kind, formats.get(s)));
            Files.write(file, content);
            files.add(file);
        }
        FuzzHarness.Report report = new FuzzHarness(FuzzSettings.perFile(), "256m").run("image", files, folder);
        System.out.println("Image fuzzing, seed " + seed + ": " + report);
        FuzzSettings.assertClean(report, count);
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return out.toByteArray();
    }

    /** A small file whose header declares a huge image (with, for PNG, a megabyte of well-compressed zeros). */
    static byte[] bomb(String format, Random random) throws IOException {
        int w = 20_000 + random.nextInt(45_536);
        int h = 20_000 + random.nextInt(45_536);
        return switch (format) {
            case "png" -> pngBomb(w, h);
            case "gif" -> {
                ByteBuffer b = ByteBuffer.allocate(13 + 10 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.put("GIF89a".getBytes()).putShort((short) w).putShort((short) h).put((byte) 0).put((byte) 0).put((byte) 0);
                b.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) w).putShort((short) h).put((byte) 0);
                b.put((byte) 2).put((byte) 0).put((byte) 0x3B);
                yield Arrays.copyOf(b.array(), b.position());
            }
            case "bmp" -> {
                ByteBuffer b = ByteBuffer.allocate(54 + 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.put((byte) 'B').put((byte) 'M').putInt(54 + 64).putInt(0).putInt(54);
                b.putInt(40).putInt(w).putInt(h).putShort((short) 1).putShort((short) 24).putInt(0).putInt(0);
                yield b.array();
            }
            default -> {
                // a JPEG's frame header (SOF0) declaring w x h, then nothing decodable
                byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 11, 8, (byte) (h >> 8), (byte) h,
                        (byte) (w >> 8), (byte) w, 1, 1, 0x11, 0, (byte) 0xFF, (byte) 0xD9};
                yield jpeg;
            }
        };
    }

    static byte[] pngBomb(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater(9);
        deflater.setInput(new byte[8 << 20]); // 8 MB of zero rows compress to a few KB
        deflater.finish();
        byte[] compressed = new byte[1 << 20];
        int n = deflater.deflate(compressed);
        chunk(out, "IDAT", Arrays.copyOf(compressed, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes();
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
