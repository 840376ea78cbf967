package dev.convey.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The bytes of a depthwise convolution and its row in RESULTS.md. 14x14x480, 3x3, stride 1, batch 1: x and y are
 * 14 * 14 * 480 = 94,080 floats each and the kernel 3 * 3 * 480 = 4,320, so forward moves 4 * 192,480 = 769,920
 * bytes; backward moves those and, once more, one map (the bound's x + dy + dx against forward's x + y) and the
 * kernel (dK written): 769,920 + 4 * (94,080 + 4,320) = 1,163,520 bytes. At 1e7 bytes per ms forward's bound is 0.077 ms: in
 * 0.154 ms that is 50 %.
 */
class DepthwiseSectionTest {

    @Test
    void theBoundCountsEachMapAndTheWeightsOnce() {
        assertEquals(769_920L, DepthwiseBenchmark.bytes("14x14x480x3x1", 1));
        assertEquals(1_163_520L, DepthwiseBenchmark.backwardBytes("14x14x480x3x1", 1));
        // stride 2 on 113 x 113: the output is 57 x 57 ('same')
        assertEquals(4L * (113 * 113 * 8 + 57 * 57 * 8 + 9 * 8), DepthwiseBenchmark.bytes("113x113x8x3x2", 1));
    }

    @Test
    void aMeasuredShapeGetsARowAndAShapeNotRunDoesNot() {
        Scores scores = new Scores();
        scores.put("DepthwiseBenchmark.forward", Map.of("shape", "14x14x480x3x1", "batch", "1", "path", "strips",
                "activation", "relu6"), new Scores.Score(0.154, 0.01, 0.15));
        String md = DepthwiseSection.markdown(scores, 1e7);
        assertTrue(md.contains("| 14x14x480x3x1 | 1 | 0.154 | 50.0 % | - | - |"), md);
        assertFalse(md.contains("| 7x7x960x3x1 |"), md);
    }
}
