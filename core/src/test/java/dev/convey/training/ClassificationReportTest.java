package dev.convey.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationReportTest {

    @TempDir
    Path tmp;

    /**
     * Labels [0, 0, 1, 2, 2], predictions [0, 1, 1, 2, 0]. scikit-learn: precision [0.5, 0.5, 1], recall
     * [0.5, 1, 0.5], f1 [0.5, 0.6667, 0.6667]; loss = mean(-log p[label]).
     */
    @Test
    void figuresAreScikitLearnsAndKeras() throws Exception {
        float[] p = {
            0.7f, 0.2f, 0.1f,
            0.3f, 0.6f, 0.1f,
            0.1f, 0.8f, 0.1f,
            0.1f, 0.1f, 0.8f,
            0.5f, 0.1f, 0.4f};
        int[] labels = {0, 0, 1, 2, 2};
        ClassificationReport r = new ClassificationReport(List.of("a", "b", "c"), Tensor.of(p, 5, 3), labels, 2);
        assertEquals(0.6, r.accuracy(), 1e-12);
        double loss = -(Math.log(0.7f) + Math.log(0.3f) + Math.log(0.8f) + Math.log(0.8f) + Math.log(0.4f)) / 5;
        assertEquals(loss, r.loss(), 1e-7);
        assertEquals(1.0, r.topKAccuracy(), 1e-12);   // every label among the 2 most probable
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 2}, r.perClass(0), 1e-12);
        assertArrayEquals(new double[] {0.5, 1, 2.0 / 3, 1}, r.perClass(1), 1e-12);
        assertArrayEquals(new double[] {1, 0.5, 2.0 / 3, 2}, r.perClass(2), 1e-12);
        assertArrayEquals(new int[][] {{1, 1, 0}, {0, 1, 0}, {1, 0, 1}}, r.confusion());
        assertTrue(r.toText().startsWith("5 images - loss: " + String.format(java.util.Locale.ROOT, "%.4f", loss)));
        r.writeConfusionPng(tmp.resolve("c.png"));
        assertTrue(Files.size(tmp.resolve("c.png")) > 100);
    }
}
