package dev.convey.training;

import dev.convey.io.AtomicFiles;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the learning curves to a PNG after every epoch: loss on the left, accuracy on the right, training and
 * validation ({@code val_}) as two lines each, epochs from 1 on the x axis. The picture is written under a
 * temporary name and renamed, so it can be watched while training runs.
 */
public final class LearningCurvePlot implements Callback {

    private static final int CHART_WIDTH = 560;
    private static final int CHART_HEIGHT = 400;

    private final Path path;
    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    public LearningCurvePlot(Path path) {
        this.path = path;
    }

    @Override
    public void onTrainBegin(TrainingRun run) {
        values.clear();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.forEach((k, v) -> values.computeIfAbsent(k, key -> new ArrayList<>()).add(v));
        List<XYChart> charts = new ArrayList<>();
        charts.add(chart("Loss", "loss"));
        if (values.containsKey("accuracy")) {
            charts.add(chart("Accuracy", "accuracy"));
        }
        BufferedImage image = new BufferedImage(CHART_WIDTH * charts.size(), CHART_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < charts.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), i * CHART_WIDTH, 0, null);
        }
        g.dispose();
        try {
            AtomicFiles.write(path, temporary -> {
                if (!ImageIO.write(image, "png", temporary.toFile())) {
                    throw new IOException("no PNG writer available");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("LearningCurvePlot: cannot write " + path, e);
        }
    }

    /** One chart with the training curve of {@code key} and, if present, its validation curve. */
    private XYChart chart(String title, String key) {
        XYChart chart = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle(key).build();
        for (String series : new String[] {key, "val_" + key}) {
            List<Double> ys = values.get(series);
            if (ys == null) {
                continue;
            }
            List<Integer> xs = new ArrayList<>();
            for (int e = 1; e <= ys.size(); e++) {
                xs.add(e);
            }
            chart.addSeries(series.startsWith("val_") ? "validation" : "training", xs, ys).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }
}
