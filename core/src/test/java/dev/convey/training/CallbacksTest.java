package dev.convey.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.layers.Dense;
import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;

/** Callbacks driven by hand-made epoch logs, as the training loop calls them. */
class CallbacksTest {

    private static Map<String, Double> logs(double loss, double accuracy, double valLoss, double valAccuracy) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", loss);
        logs.put("accuracy", accuracy);
        logs.put("val_loss", valLoss);
        logs.put("val_accuracy", valAccuracy);
        return logs;
    }

    private static TrainingRun run(Layer model, int epochs) {
        return new TrainingRun(model, epochs, 4, 32, List.of("loss", "accuracy"));
    }

    private static Layer denseModel() {
        Dense d = new Dense(2);
        d.build(new int[] {3});
        return d;
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() {
        Layer model = denseModel();
        TrainingRun run = run(model, 10);
        EarlyStopping stop = new EarlyStopping("val_loss", 2, 0.0, true);
        stop.onTrainBegin(run);
        double[] valLoss = {1.0, 0.8, 0.85, 0.9, 0.7};
        Tensor bestKernel = null;
        int epoch = 0;
        for (; epoch < valLoss.length && !run.isStopRequested(); epoch++) {
            model.weights().get(0).value().fill(epoch); // the "training" of this epoch
            if (epoch == 1) {
                bestKernel = model.weights().get(0).value().copy();
            }
            stop.onEpochEnd(epoch, logs(0, 0, valLoss[epoch], 0));
        }
        // Best at epoch 1; epochs 2 and 3 do not improve: wait reaches patience 2 at epoch 3.
        assertEquals(4, epoch);
        assertEquals(3, stop.stoppedEpoch());
        assertEquals(1, stop.bestEpoch());
        assertEquals(0.8, stop.best(), 0);
        assertArrayEquals(bestKernel.toArray(), model.weights().get(0).value().toArray(), 0f);
    }

    @Test
    void earlyStoppingOnAccuracyMaximisesAndHonoursMinDelta() {
        TrainingRun run = run(denseModel(), 10);
        EarlyStopping stop = new EarlyStopping("val_accuracy", 1, 0.05, false);
        stop.onTrainBegin(run);
        stop.onEpochEnd(0, logs(0, 0, 0, 0.50));
        assertFalse(run.isStopRequested());
        stop.onEpochEnd(1, logs(0, 0, 0, 0.60)); // +0.10 > min_delta: improvement
        assertFalse(run.isStopRequested());
        stop.onEpochEnd(2, logs(0, 0, 0, 0.64)); // +0.04 < min_delta: no improvement, patience 1 reached
        assertTrue(run.isStopRequested());
        assertEquals(2, stop.stoppedEpoch());
    }

    @Test
    void csvLoggerWritesKerasColumns(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("log.csv");
        CSVLogger logger = new CSVLogger(csv);
        logger.onTrainBegin(run(denseModel(), 2));
        logger.onEpochEnd(0, logs(0.75, 0.5, 0.875, 0.25));
        logger.onEpochEnd(1, logs(0.5, 0.625, 0.8125, 0.5));
        assertEquals("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,0.75,0.25,0.875\n1,0.625,0.5,0.5,0.8125\n",
                Files.readString(csv, StandardCharsets.UTF_8));
        // append=True continues the file under the same header.
        CSVLogger more = new CSVLogger(csv, ",", true);
        more.onTrainBegin(run(denseModel(), 1));
        more.onEpochEnd(0, logs(0.25, 1, 0.5, 1));
        List<String> lines = Files.readAllLines(csv);
        assertEquals(4, lines.size());
        assertEquals("0,1.0,0.25,1.0,0.5", lines.get(3));
    }

    @Test
    void learningCurvePlotWritesADecodablePng(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("curves.png");
        LearningCurvePlot plot = new LearningCurvePlot(png);
        plot.onTrainBegin(run(denseModel(), 3));
        plot.onEpochEnd(0, logs(1.0, 0.4, 1.1, 0.35));
        plot.onEpochEnd(1, logs(0.7, 0.6, 0.9, 0.5));
        plot.onEpochEnd(2, logs(0.5, 0.8, 0.8, 0.6));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a decodable PNG");
        assertEquals(1120, image.getWidth()); // loss and accuracy side by side
        assertEquals(400, image.getHeight());
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList(), "temporary files left");
        }
    }

    @Test
    void modelCheckpointFormatsThePathAndSavesOnlyImprovements(@TempDir Path dir) throws IOException {
        Layer model = denseModel();
        ModelCheckpoint cp = new ModelCheckpoint(dir.resolve("w-{epoch:02d}-{val_loss:.2f}.bin").toString(),
                "val_loss", true, (m, path) -> Files.writeString(path, m.name()));
        cp.onTrainBegin(run(model, 3));
        cp.onEpochEnd(0, logs(0, 0, 0.5, 0));
        cp.onEpochEnd(1, logs(0, 0, 0.75, 0)); // worse: not saved
        cp.onEpochEnd(2, logs(0, 0, 0.25, 0));
        assertTrue(Files.exists(dir.resolve("w-01-0.50.bin")));
        assertFalse(Files.exists(dir.resolve("w-02-0.75.bin")));
        assertEquals(dir.resolve("w-03-0.25.bin"), cp.lastSaved());
        assertEquals(model.name(), Files.readString(cp.lastSaved()));
    }

    @Test
    void progressWithoutATerminalIsOneLinePerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar progress = new ProgressBar(false, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        progress.onTrainBegin(run(denseModel(), 2));
        progress.onEpochBegin(0);
        progress.onBatchEnd(0, 8, logs(0.9, 0.5, 0, 0));
        progress.onBatchEnd(1, 16, logs(0.8, 0.5, 0, 0));
        progress.onEpochEnd(0, logs(0.75, 0.5, 0.875, 0.25));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("Epoch 1/2 - 2 batches - "), out);
        assertTrue(out.contains("images/s - loss: 0.7500 - accuracy: 0.5000 - val_loss: 0.8750 - val_accuracy: 0.2500"), out);
    }

    @Test
    void progressOnATerminalDrawsABarWithTheMetrics() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar progress = new ProgressBar(true, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        progress.onTrainBegin(run(denseModel(), 2));
        progress.onEpochBegin(0);
        progress.onBatchEnd(3, 32, logs(0.8, 0.5, 0, 0));
        progress.onEpochEnd(0, logs(0.75, 0.5, 0.875, 0.25));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Epoch 1/2"), out);
        assertTrue(out.contains("4/4"), out);
        assertTrue(out.contains("loss: 0.7500"), out);
    }
}
