package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.convey.blas.NativeEpilogue;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * EfficientNetB0 (silu after nearly every convolution, sigmoid in each excitation) with its classifier, random
 * weights, small inputs: the predictions with the native fused epilogue (the default) equal those of the Java
 * epilogue ({@code convey.nativeEpilogue=false}) to 1e-5, and both pick the same class; the base's features to 1e-5
 * of their scale (but not bit for bit: silu and sigmoid round differently, so the switch did switch).
 */
class NativeEpilogueZooTest {

    @Test
    void efficientNetB0PredictsTheSameWithTheNativeEpilogue() {
        Assumptions.assumeTrue(NativeEpilogue.available(), "the native epilogue did not load");
        Model m = EfficientNet.create(0, new ApplicationOptions().weights(null).inputShape(64, 64, 3));
        Tensor x = PlainPath.pixels(3);
        float[] nativeOut = m.forward(x).toArray();
        float[] javaOut = PlainPath.forwardWithout(m, x, "convey.nativeEpilogue");
        assertEquals(javaOut.length, nativeOut.length);
        int classes = javaOut.length / 2;
        double worst = PlainPath.scaleAndWorst(javaOut, nativeOut)[1];
        assertTrue(worst <= 1e-5, "max |native - java| = " + worst);
        for (int n = 0; n < 2; n++) {
            assertEquals(argmax(javaOut, n * classes, classes), argmax(nativeOut, n * classes, classes), "image " + n);
        }
        System.out.printf("EfficientNetB0 64x64: max |native - java| prediction = %.3g%n", worst);
    }

    /** The base's features (no top, no softmax to flatten differences): equal to 1e-5 of their scale, yet not identical. */
    @Test
    void efficientNetB0FeaturesAreTheSameWithTheNativeEpilogue() {
        Assumptions.assumeTrue(NativeEpilogue.available(), "the native epilogue did not load");
        Model m = EfficientNet.create(0, new ApplicationOptions().weights(null).includeTop(false).inputShape(64, 64, 3));
        Tensor x = PlainPath.pixels(4);
        float[] nativeOut = m.forward(x).toArray();
        float[] javaOut = PlainPath.forwardWithout(m, x, "convey.nativeEpilogue");
        double[] scaleAndWorst = PlainPath.scaleAndWorst(javaOut, nativeOut);
        double scale = scaleAndWorst[0];
        double worst = scaleAndWorst[1];
        System.out.printf("EfficientNetB0 64x64 features: max |native - java| = %.3g, max |y| = %.3g%n", worst, scale);
        assertTrue(scale > 0 && Double.isFinite(scale), "a real output, max |y| = " + scale);
        assertTrue(worst <= 1e-5 * scale, "max |native - java| = " + worst + " for max |y| = " + scale);
        assertTrue(worst > 0, "the switch changed nothing: is the native epilogue running?");
    }

    private static int argmax(float[] v, int from, int n) {
        int best = from;
        for (int i = from; i < from + n; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best - from;
    }
}
