package dev.convey.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The multiply-accumulates the suite divides by for EfficientNetB0 and DenseNet121 at 224 x 224: 0.3858 and
 * 2.8342 GMAC per image, as a separate count from the architectures' definitions gives them (every Conv2D,
 * DepthwiseConv2D and Dense: output pixels x kernel elements; the squeeze-and-excitation convolutions run on
 * 1 x 1 maps). Published: 0.39 billion for EfficientNet-B0 (Tan and Le 2019), about 2.9 GMAC for DenseNet-121.
 */
class ZooModelsTest {

    @Test
    void macsOfEfficientNetB0AndDenseNet121() {
        assertEquals(385_814_752L, Models.macsPerImage(Models.classifier(Models.EFFICIENTNET_B0_NAME, false)));
        assertEquals(2_834_161_664L, Models.macsPerImage(Models.classifier(Models.DENSENET121_NAME, false)));
    }

    /** 2 x 0.5 GMAC in 10 ms at batch 1 is 100 GFLOP/s, half of a 200 GFLOP/s peak; a model that did not run: "-". */
    @Test
    void theSectionOfTheOtherApplications() {
        List<String> others = ZooResults.models(List.of(Models.VGG16_NAME, Models.RESNET50_NAME));
        assertTrue(others.containsAll(List.of(Models.MOBILENET_NAME, Models.EFFICIENTNET_B0_NAME, Models.DENSENET121_NAME))
                && !others.contains(Models.VGG16_NAME) && !others.contains(Models.RESNET50_NAME), others.toString());
        Scores scores = new Scores();
        scores.put(ResultsReport.INFERENCE, Map.of("model", "efficientnet_b0", "batch", "1"), new Scores.Score(10, 1, 9));
        scores.put(ResultsReport.TRAIN_FORWARD, Map.of("model", "efficientnet_b0", "batch", "8"), new Scores.Score(80, 1, 79));
        scores.put(ResultsReport.TRAIN_HEAD, Map.of("model", "efficientnet_b0", "batch", "8"), new Scores.Score(100, 1, 99));
        String md = ZooResults.markdown(scores, List.of("efficientnet_b0", "densenet121"), m -> 500_000_000L, 200, 8);
        assertTrue(md.contains("| efficientnet_b0 | 0.500 | inference | 1 | 10.0 | 100 | 50.0 | - |"), md);
        assertTrue(md.contains("| efficientnet_b0 | 0.500 | train new head, base frozen | 8 | 100 | - | - | 1.25 |"), md);
        assertTrue(md.contains("| densenet121 | - | inference | 8 | - | - | - | - |"), md);
    }
}
