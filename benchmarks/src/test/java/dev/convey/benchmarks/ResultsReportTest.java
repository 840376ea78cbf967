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
        String md = new ResultsReport(new ResultsReport.Run(false, "test", scores, List.of(), Map.of(), macs, Map.of(), List.of(), null, null, null))
                .markdown();

        assertTrue(md.contains("| sgemm 2048 x 2048 x 2048 (2 n^3 FLOP) | 110 ± 8.00 | 156 | 100 | 172 |"), md);
        assertTrue(md.contains("| vgg16 | 1 | 250 ± 1.00 | 250 | 124 | 72.0 |"), md);
        assertTrue(md.contains("| vgg16 inference, batch 1 | 72.0 % of peak | >= 70.0 % of peak | met, by 2.04 % of peak |"), md);
        assertTrue(md.contains("| resnet50 frozen-base step / forward | 1.20 x | <= 1.10 x | MISSED, by 0.100 x |"), md);
        assertTrue(md.contains("| vgg16 inference, batch 8 | - | >= 75.0 % of peak | not measured |"), md);
        assertTrue(md.contains("| vgg16 | 1 | 250 | 200 | 1.25 | 1.25 | - |"), md);
        assertTrue(md.contains("| vgg16 inference, batch 1, Convey / ONNX Runtime | 1.25 x | <= 0.850 x | MISSED, by 0.400 x |"), md);
        assertTrue(md.contains("| resnet50 inference, batch 8, Convey / ONNX Runtime | - | <= 0.850 x | not measured |"), md);
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void peerRoundsGiveTheMedianRatioAndPyTorchItsOwnColumns() {
        Scores scores = new Scores();
        List<Scores> rounds = List.of(new Scores(), new Scores(), new Scores());
        double[] convey = {90, 80, 120};   // ResNet50, batch 1, against ORT's 100 ms: ratios 0.90, 0.80, 1.20
        for (int r = 0; r < 3; r++) {
            rounds.get(r).put(ResultsReport.INFERENCE, Map.of("model", "resnet50", "batch", "1"),
                    new Scores.Score(convey[r], 1, convey[r]));
            rounds.get(r).put(PeerComparison.ORT_INFERENCE, Map.of("model", "resnet50", "batch", "1"),
                    new Scores.Score(100, 1, 100));
        }
        scores.put(ResultsReport.TRAIN_ALL, Map.of("model", "resnet50", "batch", "8"), new Scores.Score(800, 5, 790));
        PyTorchReference.Figures torch = PyTorchReference.parse("""
                torch 1.13.0a0, torchvision 0.14.1a0, 2 threads, oneDNN True
                | model | what | batch | median ms | min ms |
                | --- | --- | --- | --- | --- |
                | resnet50 | inference | 1 | 40.0 | 38.5 |
                | resnet50 | train step, all layers | 8 | 1000.0 | 950.0 |
                """);
        assertEquals(40.0, torch.medianMs("resnet50", PyTorchReference.INFERENCE, 1));
        assertTrue(Double.isNaN(torch.medianMs("vgg16", PyTorchReference.INFERENCE, 1)));
        String md = new ResultsReport(new ResultsReport.Run(false, "test", scores, rounds, Map.of(), Map.of(), Map.of(),
                List.of(), null, "### resnet50, batch 1 (medians of 9 rounds)\n\n| resnet50 kind of layer |", torch)).markdown();

        assertTrue(md.contains("| resnet50 | 1 | 90.0 / 80.0 / 120 | 100 / 100 / 100 | 0.900 / 0.800 / 1.20 | 0.900 | 40.0 |"), md);
        assertTrue(md.contains("| resnet50 inference, batch 1, Convey / ONNX Runtime (rounds 0.800-1.20) | 0.900 x"
                + " | <= 0.850 x | MISSED, by 0.050 x |"), md);
        assertTrue(md.contains("PyTorch: torch 1.13.0a0"), md);
        assertTrue(md.contains("### Layer profile: resnet50, batch 1 (medians of 9 rounds)\n\n| resnet50 kind of layer |"), md);
        assertTrue(md.contains("| resnet50 | 800 | 1000 | 0.800 |"), md);
        assertTrue(md.contains("| resnet50 training step, batch 8, Convey / PyTorch | 0.800 x | <= 0.850 x | met, by 0.050 x |"), md);
        assertTrue(md.contains("| efficientnet_b0 inference, batch 1, Convey / ONNX Runtime | - | <= 0.850 x | not measured |"), md);
        assertFalse(md.contains("efficientnet_b0 inference, batch 8, Convey"), md);
        assertFalse(md.contains("NaN"), md);
    }
}
