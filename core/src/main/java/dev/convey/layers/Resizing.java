package dev.convey.layers;

import java.util.Map;

import dev.convey.data.TfResize;

/**
 * Keras 3's {@code Resizing(height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
 * pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0)}: every image resized to (height, width) by
 * {@code tf.image.resize} ({@link TfResize}: half-pixel centres, no antialiasing), in training and inference.
 * <ul>
 *   <li>{@code crop_to_aspect_ratio}: first the largest centred window of the target's aspect ratio
 *       ({@link TfResize#aspectRatioCrop});</li>
 *   <li>{@code pad_to_aspect_ratio}: first pad with {@code fill_value} to that aspect ratio, as Keras' TensorFlow
 *       backend does: pH = max(H, int(W * height / width)), pW = max(W, int(H * width / height)), and
 *       t = int((pH - H) / 2) rows above AND below, l = int((pW - W) / 2) columns left and right.</li>
 * </ul>
 * Given the sizes the resize is linear: backward is its adjoint ({@link TfResize#resizeBackward}).
 * Only {@code "bilinear"} and {@code "nearest"} interpolations and antialias=False are implemented.
 */
public final class Resizing extends WindowResizeLayer {

    private final TfResize.Method interpolation;
    private final boolean cropToAspectRatio;
    private final boolean padToAspectRatio;
    private final float fillValue;

    public Resizing(int height, int width) {
        this(height, width, "bilinear", false, false, 0.0);
    }

    public Resizing(int height, int width, String interpolation, boolean cropToAspectRatio, boolean padToAspectRatio,
                    double fillValue) {
        super("resizing", height, width);
        this.interpolation = TfResize.Method.of(interpolation);
        if (cropToAspectRatio && padToAspectRatio) {
            throw new IllegalArgumentException("Resizing: only one of crop_to_aspect_ratio and pad_to_aspect_ratio"
                    + " can be true");
        }
        this.cropToAspectRatio = cropToAspectRatio;
        this.padToAspectRatio = padToAspectRatio;
        this.fillValue = (float) fillValue;
    }

    /** The window of an (h, w) image that is resized: {y0, x0, wh, ww}, reaching outside the image when padding. */
    @Override
    int[] window(int h, int w) {
        if (cropToAspectRatio) {
            return TfResize.aspectRatioCrop(h, w, height, width);
        }
        if (padToAspectRatio) {
            int padH = Math.max(h, (int) ((float) (w * height) / width));
            int padW = Math.max(w, (int) ((float) (h * width) / height));
            int top = (int) ((padH - h) / 2f);
            int left = (int) ((padW - w) / 2f);
            return new int[] {-top, -left, h + 2 * top, w + 2 * left};
        }
        return new int[] {0, 0, h, w};
    }

    @Override
    TfResize.Method method() {
        return interpolation;
    }

    @Override
    float fill() {
        return fillValue;
    }

    /**
     * Keras' get_config: height, width, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_mode,
     * fill_value, antialias, data_format.
     */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("height", height);
        c.put("width", width);
        c.put("interpolation", interpolation.kerasName());
        c.put("crop_to_aspect_ratio", cropToAspectRatio);
        c.put("pad_to_aspect_ratio", padToAspectRatio);
        c.put("fill_mode", "constant");
        c.put("fill_value", (double) fillValue);
        c.put("antialias", false);
        c.put("data_format", "channels_last");
        return c;
    }
}
