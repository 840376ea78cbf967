package dev.convey.layers;

import java.util.Map;
import java.util.Random;

import dev.convey.tensor.Tensor;

/** Keras' {@code GaussianNoise(stddev, seed)}: in training y = x + e, e ~ N(0, stddev^2); dL/dx = dL/dy. */
public final class GaussianNoise extends NoiseLayer {

    private final double stddev;
    private final Long seed;
    private Tensor noise;

    public GaussianNoise(double stddev) {
        this(stddev, null);
    }

    public GaussianNoise(double stddev, Long seed) {
        super("gaussian_noise", seed);
        if (!(stddev >= 0) || Double.isInfinite(stddev)) {
            throw new IllegalArgumentException("GaussianNoise stddev must be a finite number >= 0, got " + stddev);
        }
        this.stddev = stddev;
        this.seed = seed;
    }

    @Override
    boolean isIdentity() {
        return stddev == 0;
    }

    @Override
    Tensor draw(Tensor x, Tensor multiplier, Random random) {
        multiplier.fill(1f);
        noise = Tensor.reuse(noise, x.shape());
        for (int j = 0; j < noise.size(); j++) {
            noise.data().put(j, (float) (random.nextGaussian() * stddev));
        }
        return noise;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("stddev", stddev);
        c.put("seed", seed);
        return c;
    }
}
