package dev.convey.training;

import dev.convey.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keras' {@code ModelCheckpoint(filepath, monitor="val_loss", save_best_only=False)}: save the model after
 * every epoch, or with {@code save_best_only} only when the monitored value improves. The path may hold Keras'
 * placeholders: {@code {epoch}} (from 1), {@code {epoch:02d}}, or any log key such as {@code {val_loss:.4f}}.
 *
 * <p>Each file is written under a temporary name and renamed, so an earlier checkpoint stays intact if the
 * process dies (or training fails) while saving.
 */
public final class ModelCheckpoint implements Callback {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_]+)(?::([^}]*))?}");

    private final String filePattern;
    private final Monitor monitor;
    private final boolean saveBestOnly;
    private final ModelSaver saver;
    private TrainingRun run;
    private Path lastSaved;

    public ModelCheckpoint(String filePattern, ModelSaver saver) {
        this(filePattern, "val_loss", false, saver);
    }

    public ModelCheckpoint(String filePattern, String monitor, boolean saveBestOnly, ModelSaver saver) {
        this.filePattern = filePattern;
        this.monitor = new Monitor(monitor, "auto", 0);
        this.saveBestOnly = saveBestOnly;
        this.saver = saver;
    }

    @Override
    public void onTrainBegin(TrainingRun run) {
        this.run = run;
        monitor.reset();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (saveBestOnly) {
            Double current = monitor.current(logs, "ModelCheckpoint");
            if (current == null || !monitor.improves(current)) {
                return;
            }
        }
        Path path = Path.of(format(filePattern, epoch, logs));
        try {
            AtomicFiles.write(path, temporary -> saver.save(run.model(), temporary));
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: could not save epoch " + (epoch + 1) + " to " + path, e);
        }
        lastSaved = path;
    }

    /** The last file written, or null. */
    public Path lastSaved() {
        return lastSaved;
    }

    /** Fills Keras' {@code {epoch:02d}} / {@code {val_loss:.4f}} placeholders (Python format specs d, f, e, g). */
    static String format(String pattern, int epoch, Map<String, Double> logs) {
        Matcher m = PLACEHOLDER.matcher(pattern);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            String spec = m.group(2);
            Object value;
            if (key.equals("epoch")) {
                value = epoch + 1;
            } else if (logs.containsKey(key)) {
                value = logs.get(key);
            } else {
                throw new IllegalArgumentException("ModelCheckpoint path '" + pattern + "' names '" + key
                        + "', which is not epoch nor a log key " + logs.keySet());
            }
            String text;
            if (spec == null || spec.isEmpty()) {
                text = String.valueOf(value);
            } else if (spec.endsWith("d")) {
                text = String.format(Locale.ROOT, "%" + spec, ((Number) value).longValue());
            } else {
                text = String.format(Locale.ROOT, "%" + spec, ((Number) value).doubleValue());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return out.toString();
    }
}
