package dev.convey.layers;

import java.util.Map;

/**
 * Keras' {@code LeakyReLU(negative_slope=0.3)}: y = x for x &gt;= 0, negative_slope * x below (Keras 3's
 * default slope is 0.3; Keras 2 called it {@code alpha}). dy/dx = 1 for x &gt; 0, negative_slope for x &lt;= 0
 * (TensorFlow's gradient at 0).
 */
public final class LeakyReLU extends PointwiseLayer {

    private final double negativeSlope;

    public LeakyReLU() {
        this(0.3);
    }

    public LeakyReLU(double negativeSlope) {
        super("leaky_re_lu");
        if (!(negativeSlope >= 0) || Double.isInfinite(negativeSlope)) {
            throw new IllegalArgumentException("LeakyReLU negative_slope must be a finite number >= 0, got " + negativeSlope);
        }
        this.negativeSlope = negativeSlope;
    }

    public double negativeSlope() {
        return negativeSlope;
    }

    @Override
    double value(double x) {
        return x >= 0 ? x : negativeSlope * x;
    }

    @Override
    double derivative(double x) {
        return x > 0 ? 1 : negativeSlope;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("negative_slope", negativeSlope);
        return c;
    }
}
