package dev.convey.training;

import dev.convey.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Keras' {@code CSVLogger(filename, separator=",", append=False)}: one row per epoch with the columns
 * {@code epoch} (from 0) and then every log key in alphabetical order, as Keras' {@code sorted(logs.keys())}:
 * <pre>
 * epoch,accuracy,loss,val_accuracy,val_loss
 * 0,0.5625,0.6931471824645996,0.5,0.6925
 * </pre>
 * The file is rewritten (temporary name, then rename) after every epoch, so it is always complete.
 */
public final class CSVLogger implements Callback {

    private final Path path;
    private final String separator;
    private final boolean append;
    private final List<String> lines = new ArrayList<>();
    private List<String> keys;

    public CSVLogger(Path path) {
        this(path, ",", false);
    }

    /** @param append keep the rows of an existing file (continuing a training run), as Keras' append=True */
    public CSVLogger(Path path, String separator, boolean append) {
        this.path = path;
        this.separator = separator;
        this.append = append;
    }

    @Override
    public void onTrainBegin(TrainingRun run) {
        lines.clear();
        keys = null;
        if (append && Files.exists(path)) {
            try {
                lines.addAll(Files.readAllLines(path, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("CSVLogger: cannot read " + path + " to append to it", e);
            }
            if (!lines.isEmpty()) {
                keys = List.of(lines.get(0).split(java.util.regex.Pattern.quote(separator)));
                keys = keys.subList(1, keys.size());
            }
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (keys == null) {
            keys = new ArrayList<>(new TreeSet<>(logs.keySet()));
            lines.add("epoch" + separator + String.join(separator, keys));
        }
        StringBuilder row = new StringBuilder().append(epoch);
        for (String key : keys) {
            Double value = logs.get(key);
            row.append(separator).append(value == null ? "NA" : String.valueOf(value));
        }
        lines.add(row.toString());
        try {
            AtomicFiles.write(path, temporary -> Files.write(temporary, lines, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot write " + path, e);
        }
    }
}
