package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.testdata.TestData;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's acceptance, offline on the shipped data: MobileNet (alpha 0.25, Keras' real ImageNet weights) +
 * a new head trained on the hymenoptera train photos, evaluated on val: accuracy >= 0.83 (measured 0.8431);
 * predict on a folder prints the class names with probabilities. The README's commands.
 */
@Tag("slow")
class TrainAcceptanceTest {

    @TempDir
    Path tmp;

    @Test
    void mobileNetOnAntsAndBees() {
        String data = TestData.file("hymenoptera").toString();
        String model = tmp.resolve("ants_bees.h5").toString();
        ConveyTest.Result train = ConveyTest.run("train", "--base", "mobilenet", "--alpha", "0.25", "--weights",
                TestData.file("keras-real/mobilenet_2_5_224_tf_no_top.h5").toString(), "--data", data + "/train",
                "--head", "gap,dense:64:relu,dropout:0.3", "--epochs", "15", "--lr", "0.002", "--cache-features",
                "--output", model);
        assertEquals(0, train.exitCode(), train.err() + train.out());

        ConveyTest.Result evaluate = ConveyTest.run("evaluate", "--model-file", model, "--data", data + "/val");
        assertEquals(0, evaluate.exitCode(), evaluate.err());
        Matcher m = Pattern.compile("153 images - loss: [0-9.]+ - accuracy: ([0-9.]+)").matcher(evaluate.out());
        assertTrue(m.find(), evaluate.out());
        assertTrue(Double.parseDouble(m.group(1)) >= 0.83, evaluate.out());

        ConveyTest.Result predict = ConveyTest.run("predict", "--model-file", model, "--top", "1", data + "/val/bees");
        assertEquals(0, predict.exitCode(), predict.err());
        assertEquals(83, predict.outLines().size());
        assertTrue(predict.outLines().stream().allMatch(l -> l.matches(".*: (ants|bees) [01]\\.\\d{6}")), predict.out());
        // predict agrees with evaluate: as many of the 83 bees answered "bees" as the confusion matrix counts.
        Matcher row = Pattern.compile("\\nbees +(\\d+) +(\\d+)").matcher(evaluate.out());
        assertTrue(row.find(), evaluate.out());
        long bees = predict.outLines().stream().filter(l -> l.matches(".*: bees [01]\\.\\d{6}")).count();
        assertEquals(Long.parseLong(row.group(2)), bees, predict.out());
        assertTrue(bees >= 60, bees + " of 83 bees\n" + predict.out());
    }
}
