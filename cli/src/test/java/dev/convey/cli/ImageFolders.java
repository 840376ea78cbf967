package dev.convey.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small labelled image folders for the command tests: "dark" and "light" noisy 40x36 PNGs. */
final class ImageFolders {

    private ImageFolders() {
    }

    /** {@code dir/dark/*.png} and {@code dir/light/*.png}, {@code perClass} each; returns {@code dir}. */
    static Path darkAndLight(Path dir, int perClass, long seed) throws IOException {
        Random r = new Random(seed);
        for (String cls : new String[] {"dark", "light"}) {
            Files.createDirectories(dir.resolve(cls));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(40, 36, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 36; y++) {
                    for (int x = 0; x < 40; x++) {
                        int base = cls.equals("dark") ? 40 : 200;
                        int v = Math.max(0, Math.min(255, base + (int) (r.nextGaussian() * 30)));
                        img.setRGB(x, y, (v << 16) | (Math.min(255, v + 10) << 8) | Math.max(0, v - 10));
                    }
                }
                ImageIO.write(img, "png", dir.resolve(cls).resolve(cls + i + ".png").toFile());
            }
        }
        return dir;
    }
}
