package dev.convey.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convey.tensor.Tensor;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code convey predict --model-file M} on a model with saved class names: per image its top classes by name
 * with probabilities, as text ({@code PATH: CLASS PROBABILITY}, one line per class, most probable first),
 * CSV ({@code path,prediction,probability,<one column per class>}) or JSON. Files that cannot be decoded are
 * reported on stderr with the reason, the others still answered; the exit status is then 1.
 */
final class ClassifierOutput {

    private final SavedClassifier classifier;
    private final int top;
    private final int batchSize;
    private final String format;
    private final PrintWriter out;
    private final PrintWriter err;

    ClassifierOutput(SavedClassifier classifier, int top, int batchSize, String format, PrintWriter out,
                     PrintWriter err) {
        if (!List.of("text", "csv", "json").contains(format)) {
            throw new IllegalArgumentException("--format must be text, csv or json, got " + format);
        }
        this.classifier = classifier;
        this.top = Math.min(top, classifier.requireMetadata().classNames().size());
        this.batchSize = batchSize;
        this.format = format;
        this.out = out;
        this.err = err;
    }

    int run(List<Path> files) {
        List<String> names = classifier.metadata.classNames();
        int[] size = classifier.metadata.imageSize();
        JsonArray json = new JsonArray();
        if (format.equals("csv")) {
            out.println("path,prediction,probability," + String.join(",", names.stream().map(ClassifierOutput::csv).toList()));
        }
        int failures = SavedClassifier.forEachBatch(files, batchSize, size[0], size[1], err, "predict", loaded -> {
            Tensor p = classifier.probabilities(loaded.images(), batchSize);
            for (int i = 0; i < loaded.decoded().size(); i++) {
                float[] row = new float[names.size()];
                p.data().get(i * names.size(), row);
                print(loaded.decoded().get(i), row, names, json);
            }
        });
        if (format.equals("json")) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(json));
        }
        out.flush();
        err.flush();
        if (failures > 0) {
            err.println("convey predict: " + failures + " of " + files.size() + " images could not be decoded");
            err.flush();
            return Convey.EXIT_FAILURE;
        }
        return 0;
    }

    private void print(Path file, float[] row, List<String> names, JsonArray json) {
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < row.length; c++) {
            order.add(c);
        }
        order.sort((a, b) -> Float.compare(row[b], row[a]));
        switch (format) {
            case "text" -> {
                for (int k = 0; k < top; k++) {
                    out.println(file + ": " + names.get(order.get(k)) + " "
                            + String.format(Locale.ROOT, "%.6f", row[order.get(k)]));
                }
            }
            case "csv" -> {
                StringBuilder line = new StringBuilder(csv(file.toString())).append(',')
                        .append(csv(names.get(order.get(0)))).append(',')
                        .append(String.format(Locale.ROOT, "%.6f", row[order.get(0)]));
                for (float v : row) {
                    line.append(',').append(String.format(Locale.ROOT, "%.6f", v));
                }
                out.println(line);
            }
            default -> {
                JsonObject o = new JsonObject();
                o.addProperty("path", file.toString());
                JsonArray predictions = new JsonArray();
                for (int k = 0; k < top; k++) {
                    JsonObject p = new JsonObject();
                    p.addProperty("class", names.get(order.get(k)));
                    p.addProperty("probability", row[order.get(k)]);
                    predictions.add(p);
                }
                o.add("predictions", predictions);
                json.add(o);
            }
        }
    }

    /** RFC 4180 quoting where needed. */
    static String csv(String field) {
        if (field.contains(",") || field.contains("\"") || field.contains("\n")) {
            return "\"" + field.replace("\"", "\"\"") + "\"";
        }
        return field;
    }
}
