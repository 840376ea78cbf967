package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convey demo} end to end (the main job; fixed seeds, so the numbers repeat): MobileNet 0.25 with Keras'
 * ImageNet weights, frozen, with a new head reaches >= 0.83 on the 153 hymenoptera validation photos, clearly above
 * the same network from scratch, and fine-tuning the top blocks does not fall below the frozen model.
 */
@Tag("slow")
class PhotoDemoCommandTest {

    private static final List<String> MODELS = List.of("frozen base + new head", "fine-tuned", "from scratch");

    @TempDir
    Path tmp;

    @Test
    void imageNetFeaturesLearnAntsVersusBeesFromTwoHundredPhotos() throws IOException {
        ConveyTest.Result r = ConveyTest.run("demo", "--output-dir", tmp.toString());
        assertEquals(0, r.exitCode(), r.err());
        System.out.println(r.out());
        Map<String, Double> accuracy = DemoCommandTest.accuracies(r, MODELS);
        double frozen = accuracy.get("frozen base + new head");
        double fine = accuracy.get("fine-tuned");
        double scratch = accuracy.get("from scratch");
        assertTrue(frozen >= 0.83, "frozen base " + accuracy);
        assertTrue(frozen >= scratch + 0.15, "frozen base clearly above from scratch " + accuracy);
        assertTrue(fine >= frozen, "fine-tuning must not fall below the frozen model " + accuracy);
        for (String png : List.of("learning_curves_frozen_base", "learning_curves_fine_tuned", "learning_curves_scratch",
                "predictions")) {
            BufferedImage image = ImageIO.read(tmp.resolve(png + ".png").toFile());
            assertNotNull(image, png);
        }
    }
}
