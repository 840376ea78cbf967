package dev.convey.layers;

import java.util.Map;
import java.util.Random;

/**
 * Keras 3's {@code RandomTranslation(height_factor, width_factor, fill_mode="reflect", interpolation="bilinear",
 * seed, fill_value=0.0)}: in training each image moves by dy = u_h * h rows and dx = u_w * w columns, u uniform in
 * the factor's range (f: [-f, f]; a pair: sorted; values in [-1, 1]; positive moves down / right). The output
 * pixel (x, y) reads the input at (x - dx, y - dy). Outside training the identity.
 */
public final class RandomTranslation extends AffineImageLayer {

    private final double[] heightFactor;
    private final double[] widthFactor;
    private final double[] heightRange;
    private final double[] widthRange;

    public RandomTranslation(double heightFactor, double widthFactor) {
        this(new double[] {heightFactor}, new double[] {widthFactor}, "reflect", "bilinear", 0.0, null);
    }

    public RandomTranslation(double[] heightFactor, double[] widthFactor, String fillMode, String interpolation,
                             double fillValue, Long seed) {
        super("random_translation", "RandomTranslation", fillMode, interpolation, fillValue, seed);
        this.heightFactor = heightFactor.clone();
        this.widthFactor = widthFactor.clone();
        this.heightRange = factorRange("RandomTranslation", "height_factor", heightFactor, -1);
        this.widthRange = factorRange("RandomTranslation", "width_factor", widthFactor, -1);
    }

    @Override
    boolean isIdentity() {
        return heightRange[0] == 0 && heightRange[1] == 0 && widthRange[0] == 0 && widthRange[1] == 0;
    }

    @Override
    float[] draw(int h, int w, Random random) {
        float dy = (float) (uniform(random, heightRange[0], heightRange[1]) * h);
        float dx = (float) (uniform(random, widthRange[0], widthRange[1]) * w);
        return new float[] {1, 0, -dx, 0, 1, -dy, 0, 0};
    }

    /** Keras' get_config: height_factor, width_factor, fill_mode, interpolation, seed, fill_value, data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("height_factor", factorConfig(heightFactor));
        c.put("width_factor", factorConfig(widthFactor));
        putFill(c);
        c.put("seed", seed());
        c.put("fill_value", fillValue());
        c.put("data_format", "channels_last");
        return c;
    }
}
