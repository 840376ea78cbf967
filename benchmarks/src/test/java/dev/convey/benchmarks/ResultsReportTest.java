package dev.convey.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The report's arithmetic (GFLOP/s, % of peak, ratios) and verdicts, on hand-made scores; no timing involved. */
class ResultsReportTest {

    @Test
    void targetsSayWhetherAndByHowMuch() {
        Target share = Target.atLeast("VGG16 inference, batch 1", 70, "% of peak");
        assertEquals("met, by 2.50 % of peak", share.verdict(72.5));
        assertEquals("MISSED, by 12.0 % of peak", share.verdict(58));
        Target ratio = Target.atMost("frozen step / forward", 1.15, "x");
        assertTrue(ratio.isMet(1.15));
        assertEquals("MISSED, by 0.100 x", ratio.verdict(1.25));
        assertEquals("not measured", ratio.verdict(Double.NaN));
    }

    @Test
    void figuresAreFractionsOfTheInRunPeak() {
        Scores scores = new Scores();
        // 2 * 2048^3 FLOP in 100 ms (the fastest iteration): 171.8 GFLOP/s.
        scores.put(ResultsReport.GEMM, Map.of("n", "2048"), new Scores.Score(110, 8, 100));
        // VGG16, batch 1: 2 * 15.47 GFLOP in 250 ms = 123.8 GFLOP/s = 72.0 % of 171.8.
        scores.put(ResultsReport.INFERENCE, Map.of("model", "vgg16", "batch", "1"), new Scores.Score(250, 1, 240));
        // ONNX Runtime on the same model and batch: Convey / ORT = 250 / 200 = 1.25.
        scores.put(PeerComparison.ORT_INFERENCE, Map.of("model", "vgg16", "batch", "1"), new Scores.Score(200, 2, 190));
        // ResNet50 frozen step 1.2 x its forward pass.
        Map<String, String> resnet = Map.of("model", "resnet50", "batch", "8");
        scores.put(ResultsReport.TRAIN_FORWARD, resnet, new Scores.Score(500, Double.NaN, 500));
        scores.put(ResultsReport.TRAIN_HEAD, resnet, new Scores.Score(600, Double.NaN, 600));
        Map<String, Long> macs = new LinkedHashMap<>();
        macs.put("resnet50", 3_855_946_000L);
        String md = new ResultsReport(new ResultsReport.Run(false, "test", scores, Map.of(), macs, Map.of(), List.of(), null))
                .markdown();

        assertTrue(md.contains("| sgemm 2048 x 2048 x 2048 (2 n^3 FLOP) | 110 ± 8.00 | 156 | 100 | 172 |"), md);
        assertTrue(md.contains("| vgg16 | 1 | 250 ± 1.00 | 250 | 124 | 72.0 |"), md);
        assertTrue(md.contains("| vgg16 inference, batch 1 | 72.0 % of peak | >= 70.0 % of peak | met, by 2.04 % of peak |"), md);
        assertTrue(md.contains("| resnet50 frozen-base step / forward | 1.20 x | <= 1.15 x | MISSED, by 0.050 x |"), md);
        assertTrue(md.contains("| vgg16 inference, batch 8 | - | >= 75.0 % of peak | not measured |"), md);
        assertTrue(md.contains("| vgg16 | 1 | 250 | 200 | 1.25 |"), md);
        assertTrue(md.contains("| vgg16 inference, batch 1, Convey / ONNX Runtime | 1.25 x | <= 0.850 x | MISSED, by 0.400 x |"), md);
        assertTrue(md.contains("| resnet50 inference, batch 8, Convey / ONNX Runtime | - | <= 0.850 x | not measured |"), md);
        assertFalse(md.contains("NaN"), md);
    }
}
