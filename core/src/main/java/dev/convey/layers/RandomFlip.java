package dev.convey.layers;

import java.util.Map;
import java.util.Random;

import dev.convey.data.AffineTransforms;

/**
 * Keras 3's {@code RandomFlip(mode, seed)}: in training each image is flipped with probability 1/2 (a uniform draw
 * u &lt;= 0.5), left-right for {@code "horizontal"}, top-bottom for {@code "vertical"}, and both at once on the
 * same draw for {@code "horizontal_and_vertical"} (Keras' default: one coin per image, so the image is either
 * rotated by 180 degrees or left as it is). A flip is a permutation, its own inverse: backward flips dL/dy the
 * same way. Outside training the identity.
 */
public final class RandomFlip extends RandomImageLayer {

    public static final String HORIZONTAL = "horizontal";
    public static final String VERTICAL = "vertical";
    public static final String HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical";

    private final String mode;
    private boolean[] flipped = new boolean[0];

    public RandomFlip() {
        this(HORIZONTAL_AND_VERTICAL, null);
    }

    public RandomFlip(String mode) {
        this(mode, null);
    }

    public RandomFlip(String mode, Long seed) {
        super("random_flip", seed);
        if (!HORIZONTAL.equals(mode) && !VERTICAL.equals(mode) && !HORIZONTAL_AND_VERTICAL.equals(mode)) {
            throw new IllegalArgumentException("RandomFlip mode must be \"horizontal\", \"vertical\" or"
                    + " \"horizontal_and_vertical\", got " + mode);
        }
        this.mode = mode;
    }

    public String mode() {
        return mode;
    }

    @Override
    void transform(float[] x, int n, int h, int w, int c, Random random, float[] y) {
        flipped = new boolean[n];
        for (int b = 0; b < n; b++) {
            flipped[b] = random.nextDouble() <= 0.5;
        }
        flip(x, n, h, w, c, y);
    }

    @Override
    void transformBackward(float[] dy, int n, int h, int w, int c, float[] dx) {
        flip(dy, n, h, w, c, dx);
    }

    private void flip(float[] x, int n, int h, int w, int c, float[] y) {
        int size = h * w * c;
        float[] image = new float[size];
        for (int b = 0; b < n; b++) {
            System.arraycopy(x, b * size, image, 0, size);
            if (flipped[b] && !mode.equals(VERTICAL)) {
                AffineTransforms.flipHorizontal(image, h, w, c);
            }
            if (flipped[b] && !mode.equals(HORIZONTAL)) {
                AffineTransforms.flipVertical(image, h, w, c);
            }
            System.arraycopy(image, 0, y, b * size, size);
        }
    }

    /** Keras' get_config: seed, mode, data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("seed", seed());
        c.put("mode", mode);
        c.put("data_format", "channels_last");
        return c;
    }
}
