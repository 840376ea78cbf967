package dev.convey.layers;

/** Keras' {@code Minimum}: y = min_i x_i element-wise; dL/dy goes to the (first) input holding the minimum. */
public final class Minimum extends ElementwiseMerge {

    public Minimum() {
        super("minimum");
    }

    @Override
    double combine(double[] v) {
        double m = v[0];
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    @Override
    double partial(double[] v, double y, int i) {
        return firstAt(v, y, i);
    }
}
