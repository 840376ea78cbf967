package dev.convey.layers;

import java.util.Random;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code GaussianDropout(rate, seed)}: in training y = x * m, m ~ N(1, rate / (1 - rate)) per element
 * (standard deviation sqrt(rate / (1 - rate))); dL/dx = dL/dy * m.
 */
public final class GaussianDropout extends RateNoiseLayer {

    public GaussianDropout(double rate) {
        this(rate, null);
    }

    public GaussianDropout(double rate, Long seed) {
        super("gaussian_dropout", "GaussianDropout", rate, seed);
    }

    @Override
    Tensor draw(Tensor x, Tensor multiplier, Random random) {
        double stddev = Math.sqrt(rate / (1 - rate));
        for (int j = 0; j < multiplier.size(); j++) {
            multiplier.data().put(j, (float) (1 + random.nextGaussian() * stddev));
        }
        return null;
    }
}
