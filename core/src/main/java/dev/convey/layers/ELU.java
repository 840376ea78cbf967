package dev.convey.layers;

import java.util.Map;

/**
 * Keras' {@code ELU(alpha=1.0)}: y = x for x &gt; 0, alpha (e^x - 1) otherwise. dy/dx = 1 for x &gt; 0,
 * alpha e^x otherwise.
 */
public final class ELU extends PointwiseLayer {

    private final double alpha;

    public ELU() {
        this(1.0);
    }

    public ELU(double alpha) {
        super("elu");
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("ELU alpha must be finite, got " + alpha);
        }
        this.alpha = alpha;
    }

    public double alpha() {
        return alpha;
    }

    @Override
    double value(double x) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }

    @Override
    double derivative(double x) {
        return x > 0 ? 1 : alpha * Math.exp(x);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("alpha", alpha);
        return c;
    }
}
