package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convey demo --dataset fashion-mnist} end to end with the shipped data and base (fixed seeds, so the numbers repeat): on 50
 * images per class, the frozen pretrained base must beat the same network trained from scratch on the 5000
 * target test images.
 */
@Tag("slow")
class DemoCommandTest {

    private static final List<String> MODELS = List.of("from scratch", "frozen base + new head", "fine-tuned");
    /** A table row: the model's name, then the columns; test accuracy is the first number with 4 decimals. */
    private static final Pattern ACCURACY = Pattern.compile("\\s(\\d\\.\\d{4})\\s");

    @TempDir
    Path tmp;

    /** The accuracy column of the demo's table (the first number with 4 decimals after the name), model by model. */
    static Map<String, Double> accuracies(ConveyTest.Result r, List<String> models) {
        Map<String, Double> accuracy = new LinkedHashMap<>();
        for (String line : r.outLines()) {
            for (String model : models) {
                if (line.startsWith(model + " ")) {
                    Matcher m = ACCURACY.matcher(line.substring(model.length()));
                    assertTrue(m.find(), line);
                    accuracy.put(model, Double.parseDouble(m.group(1)));
                }
            }
        }
        assertEquals(models, List.copyOf(accuracy.keySet()), r.out());
        return accuracy;
    }

    @Test
    void aPretrainedBaseBeatsTrainingFromScratchOnFiftyImagesPerClass() throws IOException {
        ConveyTest.Result r = ConveyTest.run("demo", "--dataset", "fashion-mnist", "--output-dir", tmp.toString());
        assertEquals(0, r.exitCode(), r.err());
        System.out.println(r.out());

        Map<String, Double> accuracy = accuracies(r, MODELS);
        System.out.println("Demo test accuracies: " + accuracy);
        double scratch = accuracy.get("from scratch");
        double frozen = accuracy.get("frozen base + new head");
        assertTrue(frozen > scratch, "frozen pretrained base " + frozen + " should beat from scratch " + scratch);
        // Everything learns the task: chance is 0.2.
        for (double a : accuracy.values()) {
            assertTrue(a > 0.85, accuracy.toString());
        }
        // Trainable weights: everything (24 213); the head only (1568 * 5 + 5); the head and block 2.
        assertTrue(r.out().matches("(?s).*from scratch\\s.*\\s24213\\s.*"), r.out());
        assertTrue(r.out().matches("(?s).*frozen base \\+ new head\\s.*\\s7845\\s.*"), r.out());
        assertTrue(r.out().matches("(?s).*fine-tuned\\s.*\\s21733\\s.*"), r.out());

        for (String png : List.of("scratch", "frozen_base", "fine_tuned")) {
            BufferedImage curves = ImageIO.read(tmp.resolve("learning_curves_" + png + ".png").toFile());
            assertNotNull(curves, png);
            assertTrue(curves.getWidth() > curves.getHeight(), "loss and accuracy side by side");
        }
    }
}
