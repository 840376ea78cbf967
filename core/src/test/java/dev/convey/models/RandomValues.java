package dev.convey.models;

import java.util.Random;

import dev.convey.layers.Parameter;
import dev.convey.tensor.Tensor;

/** Seeded random inputs and weights for the model tests. */
final class RandomValues {

    private RandomValues() {
    }

    /** Standard normal values. */
    static Tensor random(long seed, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) r.nextGaussian());
        }
        return t;
    }

    /** Every weight N(0, 0.3^2), moving variances N(1.5, 0.3^2) (positive): the same for the same seed. */
    static void randomize(Model m, long seed) {
        Random r = new Random(seed);
        for (Parameter p : m.weights()) {
            Tensor t = Tensor.zeros(p.value().shape());
            for (int i = 0; i < t.size(); i++) {
                t.data().put(i, (float) (r.nextGaussian() * 0.3 + (p.name().contains("variance") ? 1.5 : 0)));
            }
            p.assign(t);
        }
    }
}
