package dev.convey.layers;

import java.util.Map;

/**
 * A noise layer configured by Keras' {@code rate} (and {@code seed}): GaussianDropout and SpatialDropout2D. It is
 * the identity at rate 0; config keys {@code rate}, {@code seed} in Keras' order.
 */
abstract class RateNoiseLayer extends NoiseLayer {

    final double rate;
    private final Long seed;

    RateNoiseLayer(String nameStem, String kerasClass, double rate, Long seed) {
        super(nameStem, seed);
        this.rate = requireRate(kerasClass, rate);
        this.seed = seed;
    }

    @Override
    boolean isIdentity() {
        return rate == 0;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("rate", rate);
        c.put("seed", seed);
        return c;
    }
}
