package dev.convey.layers;

import java.util.Map;

import dev.convey.data.TfResize;
import dev.convey.tensor.Tensor;

/**
 * Keras 3's {@code CenterCrop(height, width)}, in training and inference: when the image is at least (height,
 * width), the centred window y[i, j] = x[int((H - height) / 2) + i, int((W - width) / 2) + j]; otherwise Keras'
 * {@code smart_resize}: the largest centred window of the target's aspect ratio, resized bilinearly to (height,
 * width). Backward puts dL/dy back in the window (or through the resize's adjoint).
 */
public final class CenterCrop extends Layer {

    private final int height;
    private final int width;
    private Tensor output;
    private Tensor inputGradient;
    private int[] inputShape;

    public CenterCrop(int height, int width) {
        super("center_crop");
        this.height = LayerArgs.positive(this, "height", height);
        this.width = LayerArgs.positive(this, "width", width);
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)");
        return new int[] {height, width, s[2]};
    }

    private boolean slices(int h, int w) {
        return h >= height && w >= width;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        int n = x.dim(0);
        int h = x.dim(1);
        int w = x.dim(2);
        int c = x.dim(3);
        float[] y = new float[n * height * width * c];
        if (slices(h, w)) {
            ImageWindows.crop(x.toArray(), n, h, w, c, (h - height) / 2, (w - width) / 2, height, width, y);
        } else {
            int[] box = TfResize.aspectRatioCrop(h, w, height, width);
            ImageWindows.resize(x.toArray(), n, h, w, c, box[0], box[1], box[2], box[3], 0f, height, width,
                    TfResize.Method.BILINEAR, y);
        }
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
        int n = inputShape[0];
        int h = inputShape[1];
        int w = inputShape[2];
        int c = inputShape[3];
        float[] dx = new float[n * h * w * c];
        if (slices(h, w)) {
            ImageWindows.cropBackward(outputGradient.toArray(), n, h, w, c, (h - height) / 2, (w - width) / 2,
                    height, width, dx);
        } else {
            int[] box = TfResize.aspectRatioCrop(h, w, height, width);
            ImageWindows.resizeBackward(outputGradient.toArray(), n, h, w, c, box[0], box[1], box[2], box[3], height,
                    width, TfResize.Method.BILINEAR, dx);
        }
        inputGradient = Tensor.reuse(inputGradient, inputShape);
        inputGradient.data().put(0, dx);
        return new Tensor[] {inputGradient};
    }

    /** Keras' get_config: height, width, data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("height", height);
        c.put("width", width);
        c.put("data_format", "channels_last");
        return c;
    }
}
