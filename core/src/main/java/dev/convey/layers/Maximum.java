package dev.convey.layers;

/** Keras' {@code Maximum}: y = max_i x_i element-wise; dL/dy goes to the (first) input holding the maximum. */
public final class Maximum extends ElementwiseMerge {

    public Maximum() {
        super("maximum");
    }

    @Override
    double combine(double[] v) {
        double m = v[0];
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    @Override
    double partial(double[] v, double y, int i) {
        return firstAt(v, y, i);
    }
}
