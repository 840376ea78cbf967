package dev.convey.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Conv2D;

import dev.convey.layers.SeparableConv2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * The multiply-accumulates of a separable convolution count both kernels (depthwise then pointwise, not the bias),
 * and the applications section lists the suite's models, skipping those that did not run.
 */
class ApplicationsSectionTest {

    @Test
    void aSeparableConvolutionCountsItsDepthwiseAndPointwiseKernels() {
        SymbolicTensor x = Input.of(9, 9, 4);
        Model m = new Model(x, new SeparableConv2D(6, 3).depthMultiplier(2).strides(2).padding("same").apply(x), "sep");
        // 5 x 5 output positions, each 3*3*4*2 depthwise + 8*6 pointwise multiply-adds
        assertEquals(25L * (3 * 3 * 4 * 2 + 8 * 6), Models.macsPerImage(m));
    }

    @Test
    void theSectionListsTheSuitesModelsAndSkipsThoseThatDidNotRun() {
        assertTrue(ApplicationsSection.models().containsAll(List.of(Models.XCEPTION_NAME, Models.INCEPTION_V3_NAME,
                Models.VGG19_NAME, Models.RESNET152_V2_NAME, Models.EFFICIENTNET_B7_NAME, Models.DENSENET201_NAME)));
        String md = ApplicationsSection.markdown(new Scores(), 100, 1e7, 8);
        assertTrue(md.startsWith("## Every application"), md);
        assertFalse(md.contains("| xception |"), md);
    }

    /**
     * The counts on a 1 x 1 convolution 2 -> 3 channels over a 10 x 10 map: 600 MACs per image, 4 x (200 + 300)
     * activation bytes per image (its input and output once), 4 x (6 + 3) weight bytes (kernel and bias). Then a
     * row: EfficientNetB0 at 224 x 224 does 0.3858 GMAC per image, so at 10 ms per image it runs at 77.2 GFLOP/s,
     * 38.6 % of a 200 GFLOP/s peak; its bytes at 1e7 bytes per ms over 10 ms are its fraction of the bandwidth.
     */
    @Test
    void theRowOfAModelGivesItsFractionsOfThePeakAndOfTheBandwidth() {
        SymbolicTensor x = Input.of(10, 10, 2);
        Model m = new Model(x, new Conv2D(3, 1).apply(x), "tiny");
        assertEquals(600L, Models.macsPerImage(m));
        assertEquals(4L * (200 + 300), Models.activationBytesPerImage(m));
        assertEquals(4L * (6 + 3), Models.weightBytes(m));
        Scores scores = new Scores();
        scores.put(ResultsReport.INFERENCE, Map.of("model", Models.EFFICIENTNET_B0_NAME, "batch", "1"),
                new Scores.Score(10, 1, 9));
        scores.put(ResultsReport.TRAIN_FORWARD, Map.of("model", Models.EFFICIENTNET_B0_NAME, "batch", "8"),
                new Scores.Score(80, 1, 79));
        scores.put(ResultsReport.TRAIN_HEAD, Map.of("model", Models.EFFICIENTNET_B0_NAME, "batch", "8"),
                new Scores.Score(100, 1, 99));
        Model b0 = Models.classifier(Models.EFFICIENTNET_B0_NAME, false);
        double floorMs = (Models.activationBytesPerImage(b0) + Models.weightBytes(b0)) / 1e7;
        String md = ApplicationsSection.markdown(scores, 200, 1e7, 8);
        String row = "| efficientnet_b0 | 224 x 224 | 0.386 | 10.0 | 77.2 (38.6 %) | "
                + ResultsReport.number(100 * floorMs / 10) + " % | - | - | - | 100 | 1.25 |";
        assertTrue(md.contains(row), row + " in\n" + md);
    }
}
