package dev.convey.layers;

import java.util.Map;
import java.util.Random;

import dev.convey.data.TfResize;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras 3's {@code RandomCrop(height, width, seed)}: output images of (height, width). In training, when the
 * input is larger on both axes, one window at a random offset (h0 = int(u * (H - height + 1)), w0 likewise, u
 * uniform in [0, 1)) for the whole batch, as Keras crops "all the images in the same batch to the same cropping
 * location". Otherwise (outside training, or an input not larger on both axes) Keras' documented fallback: the
 * largest centred window of the target's aspect ratio ({@link TfResize#aspectRatioCrop}) resized bilinearly to
 * (height, width). Backward puts dL/dy back in the window (or through the resize's adjoint).
 */
public final class RandomCrop extends RandomImageLayer {

    private final int height;
    private final int width;
    private int[] window;   // the last training window {y0, x0, rows, columns}
    private Tensor inferenceOutput;
    private Tensor inferenceGradient;

    public RandomCrop(int height, int width) {
        this(height, width, null);
    }

    public RandomCrop(int height, int width, Long seed) {
        super("random_crop", seed);
        this.height = LayerArgs.positive(this, "height", height);
        this.width = LayerArgs.positive(this, "width", width);
    }

    @Override
    int[] outputImageShape(int[] image) {
        return new int[] {height, width, image[2]};
    }

    @Override
    void transform(float[] x, int n, int h, int w, int c, Random random, float[] y) {
        window = h > height && w > width
                ? new int[] {(int) (random.nextDouble() * (h - height + 1)), (int) (random.nextDouble() * (w - width + 1)), height, width}
                : TfResize.aspectRatioCrop(h, w, height, width);
        resize(x, n, h, w, c, window, y);
    }

    @Override
    void transformBackward(float[] dy, int n, int h, int w, int c, float[] dx) {
        resizeBackward(dy, n, h, w, c, window, dx);
    }

    // The window resized to (height, width): a plain crop when it has that size (the sampler at scale 1).
    private void resize(float[] x, int n, int h, int w, int c, int[] box, float[] y) {
        ImageWindows.resize(x, n, h, w, c, box[0], box[1], box[2], box[3], 0f, height, width, TfResize.Method.BILINEAR, y);
    }

    private void resizeBackward(float[] dy, int n, int h, int w, int c, int[] box, float[] dx) {
        ImageWindows.resizeBackward(dy, n, h, w, c, box[0], box[1], box[2], box[3], height, width,
                TfResize.Method.BILINEAR, dx);
    }

    @Override
    Tensor inference(Tensor x) {
        float[] y = new float[x.dim(0) * height * width * x.dim(3)];
        resize(x.toArray(), x.dim(0), x.dim(1), x.dim(2), x.dim(3), TfResize.aspectRatioCrop(x.dim(1), x.dim(2), height, width), y);
        inferenceOutput = Tensor.reuse(inferenceOutput, x.dim(0), height, width, x.dim(3));
        inferenceOutput.data().put(0, y);
        return inferenceOutput;
    }

    @Override
    Tensor inferenceBackward(Tensor dy, int[] inputShape) {
        requireSameShape("output gradient", dy, inferenceOutput);
        float[] dx = new float[Shapes.size(inputShape)];
        resizeBackward(dy.toArray(), inputShape[0], inputShape[1], inputShape[2], inputShape[3],
                TfResize.aspectRatioCrop(inputShape[1], inputShape[2], height, width), dx);
        inferenceGradient = Tensor.reuse(inferenceGradient, inputShape);
        inferenceGradient.data().put(0, dx);
        return inferenceGradient;
    }

    /** Keras' get_config: height, width, seed, data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("height", height);
        c.put("width", width);
        c.put("seed", seed());
        c.put("data_format", "channels_last");
        return c;
    }
}
