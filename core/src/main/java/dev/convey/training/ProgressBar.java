package dev.convey.training;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Keras' progress display ({@code verbose=1}): on a terminal, a bar per epoch (me.tongfei progressbar) with
 * the batches done, the ETA, the running loss and metrics and the images per second; when the output is not a
 * terminal ({@code System.console() == null}: a log file, CI), one plain line per epoch instead, since a bar
 * redrawn with carriage returns is unreadable in a file:
 * <pre>
 * Epoch 3/10 - 20 batches - 12.4 s - 516.1 images/s - loss: 0.4123 - accuracy: 0.8750 - val_loss: 0.5012 - val_accuracy: 0.8125
 * </pre>
 */
public final class ProgressBar implements Callback {

    private final boolean terminal;
    private final PrintStream out;
    private TrainingRun run;
    private me.tongfei.progressbar.ProgressBar bar;
    private long epochStart;
    private int samplesSeen;
    private int batchesDone;
    private int epoch;

    /** A bar on a terminal, plain lines otherwise, on System.out. */
    public ProgressBar() {
        this(System.console() != null, System.out);
    }

    public ProgressBar(boolean terminal, PrintStream out) {
        this.terminal = terminal;
        this.out = out;
    }

    @Override
    public void onTrainBegin(TrainingRun run) {
        this.run = run;
    }

    @Override
    public void onEpochBegin(int epoch) {
        this.epoch = epoch;
        epochStart = System.nanoTime();
        samplesSeen = 0;
        batchesDone = 0;
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(epochTitle()).setInitialMax(run.stepsPerEpoch())
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" batches", 1).setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(out)).build();
        }
    }

    @Override
    public void onBatchEnd(int batch, int samplesSeen, Map<String, Double> logs) {
        this.samplesSeen = samplesSeen;
        this.batchesDone = batch + 1;
        if (bar != null) {
            bar.stepTo(batchesDone);
            bar.setExtraMessage(String.format(Locale.ROOT, "%s %.1f images/s", format(logs), imagesPerSecond()));
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (bar != null) {
            bar.setExtraMessage(format(logs));
            bar.close();
            bar = null;
            return;
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        out.println(String.format(Locale.ROOT, "%s - %d batches - %.1f s - %.1f images/s - %s", epochTitle(),
                batchesDone, seconds, imagesPerSecond(), format(logs)));
    }

    @Override
    public void onTrainEnd() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    private String epochTitle() {
        return "Epoch " + (epoch + 1) + "/" + run.epochs();
    }

    private double imagesPerSecond() {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        return seconds > 0 ? samplesSeen / seconds : 0;
    }

    /** "loss: 0.4123 - accuracy: 0.8750", Keras' four decimals. */
    static String format(Map<String, Double> logs) {
        StringBuilder s = new StringBuilder();
        logs.forEach((k, v) -> s.append(s.length() == 0 ? "" : " - ").append(k).append(": ")
                .append(String.format(Locale.ROOT, "%.4f", v)));
        return s.toString();
    }
}
