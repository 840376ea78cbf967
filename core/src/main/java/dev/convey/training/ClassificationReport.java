package dev.convey.training;

import dev.convey.io.AtomicFiles;
import dev.convey.tensor.Tensor;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A classifier's results on labelled data, as Keras' {@code evaluate} and scikit-learn's
 * {@code classification_report} / {@code confusion_matrix} give them:
 * <ul>
 *   <li>loss: categorical cross-entropy {@code mean(-log(clip(p[label], 1e-7, 1 - 1e-7)))} (Keras' clipping);</li>
 *   <li>accuracy: argmax = label (ties: the first index, as numpy's argmax); top-k: the label among the k most
 *       probable;</li>
 *   <li>per class c: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R), each 0 when its
 *       denominator is 0 (scikit-learn's {@code zero_division=0});</li>
 *   <li>{@code confusion[true][predicted]}: counts.</li>
 * </ul>
 */
public final class ClassificationReport {

    private final List<String> classNames;
    private final int[] labels;
    private final int[] predicted;
    private final int[][] confusion;
    private final double loss;
    private final double topK;
    private final int k;

    /** {@code probabilities (n, classes)} against the integer {@code labels}; top-k with {@code k}. */
    public ClassificationReport(List<String> classNames, Tensor probabilities, int[] labels, int k) {
        int classes = classNames.size();
        int n = labels.length;
        if (probabilities.rank() != 2 || probabilities.dim(0) != n || probabilities.dim(1) != classes) {
            throw new IllegalArgumentException("expected probabilities (" + n + ", " + classes + "), got "
                    + dev.convey.tensor.Shapes.toString(probabilities.shape()));
        }
        this.classNames = List.copyOf(classNames);
        this.labels = labels.clone();
        this.k = Math.min(k, classes);
        this.predicted = new int[n];
        this.confusion = new int[classes][classes];
        double lossSum = 0;
        int inTopK = 0;
        for (int i = 0; i < n; i++) {
            float[] row = new float[classes];
            probabilities.data().get(i * classes, row);
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            predicted[i] = best;
            confusion[labels[i]][best]++;
            lossSum -= Math.log(Math.min(Math.max(row[labels[i]], 1e-7), 1 - 1e-7));
            int higher = 0;
            for (int c = 0; c < classes; c++) {
                higher += row[c] > row[labels[i]] ? 1 : 0;
            }
            inTopK += higher < this.k ? 1 : 0;
        }
        this.loss = n == 0 ? Double.NaN : lossSum / n;
        this.topK = n == 0 ? Double.NaN : (double) inTopK / n;
    }

    public double loss() {
        return loss;
    }

    public double accuracy() {
        int right = 0;
        for (int c = 0; c < confusion.length; c++) {
            right += confusion[c][c];
        }
        return (double) right / labels.length;
    }

    public double topKAccuracy() {
        return topK;
    }

    public int[] predicted() {
        return predicted.clone();
    }

    public int[][] confusion() {
        int[][] copy = new int[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    /** {precision, recall, f1, support} of class c. */
    public double[] perClass(int c) {
        int tp = confusion[c][c];
        int predictedC = 0;
        int actualC = 0;
        for (int i = 0; i < confusion.length; i++) {
            predictedC += confusion[i][c];
            actualC += confusion[c][i];
        }
        double p = predictedC == 0 ? 0 : (double) tp / predictedC;
        double r = actualC == 0 ? 0 : (double) tp / actualC;
        double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return new double[] {p, r, f1, actualC};
    }

    /** The figures as text: summary line, per-class table, confusion matrix. */
    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%d images - loss: %.4f - accuracy: %.4f - top-%d accuracy: %.4f%n",
                labels.length, loss, accuracy(), k, topK));
        int w = Math.max(12, classNames.stream().mapToInt(String::length).max().orElse(0) + 2);
        s.append(String.format(Locale.ROOT, "%n%-" + w + "s %9s %9s %9s %9s%n", "class", "precision", "recall",
                "f1-score", "support"));
        for (int c = 0; c < classNames.size(); c++) {
            double[] m = perClass(c);
            s.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %9d%n", classNames.get(c), m[0], m[1],
                    m[2], (int) m[3]));
        }
        s.append(String.format(Locale.ROOT, "%nconfusion matrix (rows: true class, columns: predicted)%n%-" + w + "s",
                ""));
        for (String name : classNames) {
            s.append(String.format(Locale.ROOT, " %" + Math.max(6, name.length()) + "s", name));
        }
        s.append('\n');
        for (int r = 0; r < classNames.size(); r++) {
            s.append(String.format(Locale.ROOT, "%-" + w + "s", classNames.get(r)));
            for (int c = 0; c < classNames.size(); c++) {
                s.append(String.format(Locale.ROOT, " %" + Math.max(6, classNames.get(c).length()) + "d",
                        confusion[r][c]));
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** The confusion matrix as a PNG: cells shaded by the share of their row, counts written in them. */
    public void writeConfusionPng(Path file) throws IOException {
        int n = classNames.size();
        int cell = Math.max(28, Math.min(80, 800 / Math.max(1, n)));
        int margin = 40 + classNames.stream().mapToInt(String::length).max().orElse(0) * 7;
        int size = margin + n * cell + 20;
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size, size);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < n; r++) {
            int rowSum = 0;
            for (int c = 0; c < n; c++) {
                rowSum += confusion[r][c];
            }
            for (int c = 0; c < n; c++) {
                float share = rowSum == 0 ? 0 : (float) confusion[r][c] / rowSum;
                g.setColor(new Color(1 - 0.8f * share, 1 - 0.6f * share, 1f));
                g.fillRect(margin + c * cell, margin + r * cell, cell, cell);
                g.setColor(Color.GRAY);
                g.drawRect(margin + c * cell, margin + r * cell, cell, cell);
                g.setColor(share > 0.6f ? Color.WHITE : Color.BLACK);
                String count = Integer.toString(confusion[r][c]);
                g.drawString(count, margin + c * cell + (cell - fm.stringWidth(count)) / 2,
                        margin + r * cell + (cell + fm.getAscent()) / 2 - 2);
            }
            g.setColor(Color.BLACK);
            g.drawString(classNames.get(r), 5, margin + r * cell + (cell + fm.getAscent()) / 2 - 2);
            g.drawString(classNames.get(r), margin + r * cell + 2, margin - 6);
        }
        g.drawString("true \\ predicted", 5, 15);
        g.dispose();
        AtomicFiles.write(file, temporary -> {
            if (!ImageIO.write(image, "png", temporary.toFile())) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
