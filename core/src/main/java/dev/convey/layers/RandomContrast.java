package dev.convey.layers;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Keras 3's {@code RandomContrast(factor, value_range=(0, 255), seed)}: in training each image gets a factor k
 * uniform in [1 - lower, 1 + upper] and each channel c moves away from (or towards) its mean over the image:
 * <pre>
 *   y = clip((x - m_c) * k + m_c, low, high),     m_c = mean over (h, w) of x[., ., c]
 * </pre>
 * (lower, upper) is Keras' {@code _set_factor} with bounds [0, 1]: a number f gives (0, f) (Keras 3.6 on: so
 * k in [1, 1 + f]; its docstring's [1 - f, 1 + f] is what a pair (f, f) gives), a pair is sorted. Backward, with
 * g = dL/dy where the clip let the value through (low &lt;= z &lt;= high) and 0 elsewhere, P the pixels:
 * dL/dx = k g + (1 - k) / P * sum over the image of g, per channel. Outside training the identity.
 */
public final class RandomContrast extends RandomImageLayer {

    private final double lower;
    private final double upper;
    private final double low;
    private final double high;
    private float[] factors = new float[0];
    private boolean[] passed = new boolean[0];

    public RandomContrast(double factor) {
        this(new double[] {factor}, new double[] {0, 255}, null);
    }

    public RandomContrast(double[] factor, double[] valueRange, Long seed) {
        super("random_contrast", seed);
        double[] range = factorRange("RandomContrast", "factor", factor, 0);
        this.lower = range[0];
        this.upper = range[1];
        if (valueRange.length != 2 || !(valueRange[0] < valueRange[1])) {
            throw new IllegalArgumentException("RandomContrast value_range must be [low, high] with low < high, got "
                    + java.util.Arrays.toString(valueRange));
        }
        this.low = valueRange[0];
        this.high = valueRange[1];
    }

    @Override
    boolean isIdentity() {
        return false;   // even with k = 1 the values are clipped to value_range, as Keras does
    }

    @Override
    void transform(float[] x, int n, int h, int w, int c, Random random, float[] y) {
        factors = new float[n];
        passed = new boolean[x.length];
        int pixels = h * w;
        for (int b = 0; b < n; b++) {
            float k = (float) uniform(random, 1 - lower, 1 + upper);
            factors[b] = k;
            float[] mean = channelMeans(x, b, pixels, c);
            for (int p = 0; p < pixels; p++) {
                for (int ch = 0; ch < c; ch++) {
                    int i = (b * pixels + p) * c + ch;
                    float z = (x[i] - mean[ch]) * k + mean[ch];
                    passed[i] = z >= low && z <= high;
                    y[i] = (float) Math.min(high, Math.max(low, z));
                }
            }
        }
    }

    @Override
    void transformBackward(float[] dy, int n, int h, int w, int c, float[] dx) {
        int pixels = h * w;
        float[] g = new float[dy.length];
        for (int i = 0; i < dy.length; i++) {
            g[i] = passed[i] ? dy[i] : 0f;
        }
        for (int b = 0; b < n; b++) {
            float k = factors[b];
            float[] mean = channelMeans(g, b, pixels, c);
            for (int p = 0; p < pixels; p++) {
                for (int ch = 0; ch < c; ch++) {
                    int i = (b * pixels + p) * c + ch;
                    dx[i] = k * g[i] + (1 - k) * mean[ch];
                }
            }
        }
    }

    // The mean of each channel over image b, summed in double.
    private static float[] channelMeans(float[] x, int b, int pixels, int c) {
        double[] sum = new double[c];
        for (int p = 0; p < pixels; p++) {
            for (int ch = 0; ch < c; ch++) {
                sum[ch] += x[(b * pixels + p) * c + ch];
            }
        }
        float[] mean = new float[c];
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = (float) (sum[ch] / pixels);
        }
        return mean;
    }

    /** Keras' get_config: factor (the pair Keras keeps), value_range, seed. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("factor", List.of(lower, upper));
        c.put("value_range", List.of(low, high));
        c.put("seed", seed());
        return c;
    }
}
