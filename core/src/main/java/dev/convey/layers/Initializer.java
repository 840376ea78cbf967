package dev.convey.layers;

import java.util.SplittableRandom;

import dev.convey.tensor.Tensor;

/** How a new weight is filled, with Keras' default choices. */
@FunctionalInterface
public interface Initializer {

    void fill(Tensor weight, SplittableRandom random);

    Initializer ZEROS = (w, r) -> w.fill(0f);
    Initializer ONES = (w, r) -> w.fill(1f);

    /**
     * Keras' default kernel initializer, Glorot (Xavier) uniform: U(-limit, limit) with
     * limit = sqrt(6 / (fan_in + fan_out)). For a kernel of shape (..., in, out), as Keras stores both Dense
     * (in, out) and Conv2D (kh, kw, in, out) kernels, fan_in = in * receptive field and fan_out = out *
     * receptive field, where the receptive field is the product of the leading axes.
     */
    Initializer GLOROT_UNIFORM = (w, r) -> {
        int[] s = w.shape();
        int receptiveField = 1;
        for (int i = 0; i < s.length - 2; i++) {
            receptiveField *= s[i];
        }
        int fanIn = s.length >= 2 ? s[s.length - 2] * receptiveField : s[0];
        int fanOut = s.length >= 2 ? s[s.length - 1] * receptiveField : s[0];
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < w.size(); i++) {
            w.data().put(i, (float) ((r.nextDouble() * 2 - 1) * limit));
        }
    };
}
