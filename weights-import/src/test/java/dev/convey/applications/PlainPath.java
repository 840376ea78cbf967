package dev.convey.applications;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/** For the zoo tests of the inference planners: a model's output with one of the planners' switches off. */
final class PlainPath {

    private PlainPath() {
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
}
