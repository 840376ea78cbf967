package dev.convey.layers;

import java.util.Map;
import java.util.Random;

/**
 * Keras 3's {@code RandomZoom(height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear",
 * seed, fill_value=0.0)}: in training each image is scaled about its centre by zy = 1 + u_h rows and
 * zx = 1 + u_w columns, u_h uniform in the height range and u_w in the width range (factor f: [-f, f]; a pair:
 * sorted; every value in [-1, 1]; a positive factor zooms OUT); without a width factor zx = zy, the aspect kept.
 * The output pixel (x, y) reads the input at
 * <pre>
 *   x' = zx * x + (w - 1) / 2 * (1 - zx),    y' = zy * y + (h - 1) / 2 * (1 - zy)
 * </pre>
 * Outside training the identity.
 */
public final class RandomZoom extends AffineImageLayer {

    private final double[] heightFactor;
    private final double[] widthFactor;
    private final double[] heightRange;
    private final double[] widthRange;

    public RandomZoom(double heightFactor) {
        this(new double[] {heightFactor}, null, "reflect", "bilinear", 0.0, null);
    }

    /** Factors: one number or (lower, upper) each; widthFactor null keeps the aspect ratio. */
    public RandomZoom(double[] heightFactor, double[] widthFactor, String fillMode, String interpolation,
                      double fillValue, Long seed) {
        super("random_zoom", "RandomZoom", fillMode, interpolation, fillValue, seed);
        this.heightFactor = heightFactor.clone();
        this.widthFactor = widthFactor == null ? null : widthFactor.clone();
        this.heightRange = factorRange("RandomZoom", "height_factor", heightFactor, -1);
        this.widthRange = widthFactor == null ? null : factorRange("RandomZoom", "width_factor", widthFactor, -1);
    }

    @Override
    boolean isIdentity() {
        return heightRange[0] == 0 && heightRange[1] == 0
                && (widthRange == null || widthRange[0] == 0 && widthRange[1] == 0);
    }

    @Override
    float[] draw(int h, int w, Random random) {
        double zy = 1 + uniform(random, heightRange[0], heightRange[1]);
        double zx = widthRange == null ? zy : 1 + uniform(random, widthRange[0], widthRange[1]);
        return new float[] {(float) zx, 0, (float) ((w - 1) / 2.0 * (1 - zx)),
                0, (float) zy, (float) ((h - 1) / 2.0 * (1 - zy)), 0, 0};
    }

    /** Keras' get_config: height_factor, width_factor, fill_mode, interpolation, seed, fill_value, data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("height_factor", factorConfig(heightFactor));
        c.put("width_factor", widthFactor == null ? null : factorConfig(widthFactor));
        putFill(c);
        c.put("seed", seed());
        c.put("fill_value", fillValue());
        c.put("data_format", "channels_last");
        return c;
    }
}
