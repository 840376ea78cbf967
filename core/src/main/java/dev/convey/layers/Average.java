package dev.convey.layers;

/** Keras' {@code Average}: y = (x_0 + ... + x_{k-1}) / k; dL/dx_i = dL/dy / k. */
public final class Average extends ElementwiseMerge {

    public Average() {
        super("average");
    }

    @Override
    double combine(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return sum / v.length;
    }

    @Override
    double partial(double[] v, double y, int i) {
        return 1.0 / v.length;
    }
}
