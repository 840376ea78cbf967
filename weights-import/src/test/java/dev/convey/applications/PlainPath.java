package dev.convey.applications;

import java.util.Random;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/** For the zoo tests of the inference planners: a model's output with one of the planners' switches off. */
final class PlainPath {

    private PlainPath() {
    }

    /** A batch of square RGB images of standard normal pixels (seeded). */
    static Tensor gaussianImages(int batch, int size, long seed) {
        java.util.Random r = new java.util.Random(seed);
        Tensor x = Tensor.zeros(batch, size, size, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        return x;
    }

    /** m's output on x with system property {@code property} = false (the plain layers), the property cleared after. */
    static float[] forwardWithout(Model m, Tensor x, String property) {
        System.setProperty(property, "false");
        try {
            return m.forward(x).toArray();
        } finally {
            System.clearProperty(property);
        }
    }

    /** Two 64 x 64 RGB images of uniform random pixels in [0, 255), from {@code seed}. */
    static Tensor pixels(long seed) {
        Random r = new Random(seed);
        Tensor x = Tensor.zeros(2, 64, 64, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) (r.nextDouble() * 255));
        }
        return x;
    }

    /** {max |reference|, max |other - reference|} over two outputs of the same length. */
    static double[] scaleAndWorst(float[] reference, float[] other) {
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < reference.length; i++) {
            scale = Math.max(scale, Math.abs(reference[i]));
            worst = Math.max(worst, Math.abs(other[i] - reference[i]));
        }
        return new double[] {scale, worst};
    }
}
