package dev.convey.layers;

import java.util.Map;

import dev.convey.data.TfResize;
import dev.convey.tensor.Tensor;

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
public final class Resizing extends Layer {

    private final int height;
    private final int width;
    private final TfResize.Method interpolation;
    private final boolean cropToAspectRatio;
    private final boolean padToAspectRatio;
    private final float fillValue;
    private Tensor output;
    private Tensor inputGradient;
    private int[] inputShape;

    public Resizing(int height, int width) {
        this(height, width, "bilinear", false, false, 0.0);
    }

    public Resizing(int height, int width, String interpolation, boolean cropToAspectRatio, boolean padToAspectRatio,
                    double fillValue) {
        super("resizing");
        this.height = LayerArgs.positive(this, "height", height);
        this.width = LayerArgs.positive(this, "width", width);
        this.interpolation = TfResize.Method.of(interpolation);
        if (cropToAspectRatio && padToAspectRatio) {
            throw new IllegalArgumentException("Resizing: only one of crop_to_aspect_ratio and pad_to_aspect_ratio"
                    + " can be true");
        }
        this.cropToAspectRatio = cropToAspectRatio;
        this.padToAspectRatio = padToAspectRatio;
        this.fillValue = (float) fillValue;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)");
        return new int[] {height, width, s[2]};
    }

    /** The window of an (h, w) image that is resized: {y0, x0, wh, ww}, reaching outside the image when padding. */
    private int[] window(int h, int w) {
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
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        int n = x.dim(0);
        int c = x.dim(3);
        int[] box = window(x.dim(1), x.dim(2));
        float[] y = new float[n * height * width * c];
        ImageWindows.resize(x.toArray(), n, x.dim(1), x.dim(2), c, box[0], box[1], box[2], box[3], fillValue,
                height, width, interpolation, y);
        output = Tensor.reuse(output, n, height, width, c);
        output.data().put(0, y);
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        int[] box = window(inputShape[1], inputShape[2]);
        float[] dx = new float[inputShape[0] * inputShape[1] * inputShape[2] * inputShape[3]];
        ImageWindows.resizeBackward(outputGradient.toArray(), inputShape[0], inputShape[1], inputShape[2], inputShape[3],
                box[0], box[1], box[2], box[3], height, width, interpolation, dx);
        inputGradient = Tensor.reuse(inputGradient, inputShape);
        inputGradient.data().put(0, dx);
        return new Tensor[] {inputGradient};
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
