package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * EfficientNets, whose every MBConv block ends in a squeeze-and-excitation multiply read by the projection conv:
 * small inputs, random weights, inference with the multiplies folded into the projections where that pays (the
 * default; at 64 x 64 the early blocks fold, the 2 x 2 maps of the last ones do not) equals inference with
 * {@code convey.foldExcite=false} to 1e-5 of the output's scale (s W rounds where x s did).
 */
class ExciteFoldZooTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void foldedEqualsUnfolded(int variant) {
        Model m = EfficientNet.create(variant, new ApplicationOptions().weights(null).includeTop(false).inputShape(64, 64, 3));
        Random r = new Random(variant);
        Tensor x = Tensor.zeros(2, 64, 64, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian() * 50);
        }
        float[] folded = m.forward(x).toArray();
        float[] unfolded = PlainPath.forwardWithout(m, x, "convey.foldExcite");
        double[] scaleAndWorst = PlainPath.scaleAndWorst(unfolded, folded);
        double scale = scaleAndWorst[0];
        double worst = scaleAndWorst[1];
        assertTrue(scale > 0 && Double.isFinite(scale), "a real output, max |y| = " + scale);
        assertTrue(worst <= 1e-5 * scale, "EfficientNetB" + variant + ": max |folded - unfolded| = " + worst
                + " for max |y| = " + scale);
        assertEquals(folded.length, unfolded.length);
    }
}
