package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.convey.blas.NativeEpilogue;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * EfficientNetB0 (silu after nearly every convolution, sigmoid in each excitation) with its classifier, random
 * weights, small inputs: the predictions with the native fused epilogue (the default) equal those of the Java
 * epilogue ({@code convey.nativeEpilogue=false}) to 1e-5, and both pick the same class.
 */
class NativeEpilogueZooTest {

    @Test
    void efficientNetB0PredictsTheSameWithTheNativeEpilogue() {
        Assumptions.assumeTrue(NativeEpilogue.available(), "the native epilogue did not load");
        Model m = EfficientNet.create(0, new ApplicationOptions().weights(null).inputShape(64, 64, 3));
        Random r = new Random(3);
        Tensor x = Tensor.zeros(2, 64, 64, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) (r.nextDouble() * 255));
        }
        float[] nativeOut = m.forward(x).toArray();
        float[] javaOut = PlainPath.forwardWithout(m, x, "convey.nativeEpilogue");
        assertEquals(javaOut.length, nativeOut.length);
        int classes = javaOut.length / 2;
        double worst = 0;
        for (int i = 0; i < javaOut.length; i++) {
            worst = Math.max(worst, Math.abs(nativeOut[i] - javaOut[i]));
        }
        assertTrue(worst <= 1e-5, "max |native - java| = " + worst);
        for (int n = 0; n < 2; n++) {
            assertEquals(argmax(javaOut, n * classes, classes), argmax(nativeOut, n * classes, classes), "image " + n);
        }
        System.out.printf("EfficientNetB0 64x64: max |native - java| prediction = %.3g%n", worst);
    }

    private static int argmax(float[] v, int from, int n) {
        int best = from;
        for (int i = from; i < from + n; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best - from;
    }
}
