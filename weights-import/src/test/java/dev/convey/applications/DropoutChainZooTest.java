package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * EfficientNetB0 and B1 at 64x64, batch 2, random weights: each block's {@code project_bn -> drop (Dropout) -> add}
 * fused through the Dropout into the projection conv (the default) is bit-identical to inference with
 * {@code convey.fuseIdentities=false} (the chain stops at the batch norm; Dropout and Add run as layers): the Add
 * is the same two-term float sum either way.
 */
class DropoutChainZooTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void fusedThroughTheDropoutEqualsUnfused(int variant) {
        Model m = EfficientNet.create(variant, new ApplicationOptions().weights(null).includeTop(false).inputShape(64, 64, 3));
        Tensor x = PlainPath.pixels(3);
        float[] fused = m.forward(x).toArray();
        float[] unfused = PlainPath.forwardWithout(m, x, "convey.fuseIdentities");
        assertArrayEquals(unfused, fused, "B" + variant);
        double sum = 0;
        for (float v : fused) {
            sum += Math.abs(v);
        }
        assertTrue(sum > 0 && Double.isFinite(sum), "a real output, sum |y| = " + sum);
    }
}
