package dev.convey.layers;

/** Keras' {@code Subtract}: y = x_0 - x_1 (exactly two inputs); dL/dx_0 = dL/dy, dL/dx_1 = -dL/dy. */
public final class Subtract extends ElementwiseMerge {

    public Subtract() {
        super("subtract");
    }

    @Override
    int arity() {
        return 2;
    }

    @Override
    double combine(double[] v) {
        return v[0] - v[1];
    }

    @Override
    double partial(double[] v, double y, int i) {
        return i == 0 ? 1 : -1;
    }
}
