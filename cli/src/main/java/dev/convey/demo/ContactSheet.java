package dev.convey.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import javax.imageio.ImageIO;

import dev.convey.io.AtomicFiles;
import dev.convey.tensor.Tensor;

/**
 * A PNG grid of photos, each captioned with the model's guess and its probability (green when right, red when
 * wrong): the demo's example predictions.
 */
final class ContactSheet {

    private static final int CAPTION = 18;

    private ContactSheet() {
    }

    /**
     * Writes the first {@code count} images of {@code rgb} (N, H, W, 3) in [0, 255], with probabilities (N, classes)
     * and true labels, {@code columns} to a row.
     */
    static void write(Path file, Tensor rgb, Tensor probabilities, int[] labels, java.util.List<String> classes,
                      int count, int columns) throws IOException {
        int h = rgb.dim(1);
        int w = rgb.dim(2);
        int rows = (count + columns - 1) / columns;
        BufferedImage sheet = new BufferedImage(columns * w, rows * (h + CAPTION), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        int k = probabilities.dim(1);
        for (int i = 0; i < count; i++) {
            int x0 = (i % columns) * w;
            int y0 = (i / columns) * (h + CAPTION);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int at = ((i * h + y) * w + x) * 3;
                    int r = clamp(rgb.data().get(at));
                    int gr = clamp(rgb.data().get(at + 1));
                    int b = clamp(rgb.data().get(at + 2));
                    sheet.setRGB(x0 + x, y0 + y, (r << 16) | (gr << 8) | b);
                }
            }
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (probabilities.data().get(i * k + c) > probabilities.data().get(i * k + best)) {
                    best = c;
                }
            }
            g.setColor(best == labels[i] ? new Color(0, 120, 0) : new Color(200, 0, 0));
            g.drawString(String.format(Locale.ROOT, "%s %.2f%s", classes.get(best), probabilities.data().get(i * k + best),
                    best == labels[i] ? "" : " (" + classes.get(labels[i]) + ")"), x0 + 4, y0 + h + 13);
        }
        g.dispose();
        AtomicFiles.write(file, tmp -> {
            if (!ImageIO.write(sheet, "png", tmp.toFile())) {
                throw new IOException("No PNG writer for " + file);
            }
        });
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
