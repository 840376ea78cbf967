package dev.convey.layers;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Keras 3's {@code RandomRotation(factor, fill_mode="reflect", interpolation="bilinear", seed, fill_value=0.0)}:
 * in training each image turns by an angle a uniform in [lower * 2 pi, upper * 2 pi] (factor f: [-f, f]; a pair:
 * sorted; positive is counter-clockwise) about its centre ((w - 1) / 2, (h - 1) / 2). The output pixel (x, y)
 * reads the input at
 * <pre>
 *   x' = cos a * x - sin a * y + ((w - 1) - (cos a (w - 1) - sin a (h - 1))) / 2
 *   y' = sin a * x + cos a * y + ((h - 1) - (sin a (w - 1) + cos a (h - 1))) / 2
 * </pre>
 * Outside training the identity.
 */
public final class RandomRotation extends AffineImageLayer {

    private final double lower;
    private final double upper;

    public RandomRotation(double factor) {
        this(new double[] {factor}, "reflect", "bilinear", 0.0, null);
    }

    /** factor: one number or (lower, upper), fractions of a full turn in [-1, 1]. */
    public RandomRotation(double[] factor, String fillMode, String interpolation, double fillValue, Long seed) {
        super("random_rotation", "RandomRotation", fillMode, interpolation, fillValue, seed);
        double[] range = factorRange("RandomRotation", "factor", factor, -1);
        this.lower = range[0];
        this.upper = range[1];
    }

    @Override
    boolean isIdentity() {
        return lower == 0 && upper == 0;
    }

    @Override
    float[] draw(int h, int w, Random random) {
        double a = uniform(random, lower * 2 * Math.PI, upper * 2 * Math.PI);
        double cos = Math.cos(a);
        double sin = Math.sin(a);
        double xOffset = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2;
        double yOffset = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2;
        return new float[] {(float) cos, (float) -sin, (float) xOffset, (float) sin, (float) cos, (float) yOffset, 0, 0};
    }

    /** Keras' get_config: factor (as the sorted pair Keras keeps), data_format, fill_mode, fill_value, interpolation, seed. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("factor", List.of(lower, upper));
        c.put("data_format", "channels_last");
        c.put("fill_mode", fillModeName());
        c.put("fill_value", fillValue());
        c.put("interpolation", interpolationName());
        c.put("seed", seed());
        return c;
    }
}
