package dev.convey.data;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code preprocess_input(x, mode="caffe")} (VGG16, ResNet50): RGB to BGR, then subtract the ImageNet mean
 * of each channel, without scaling:
 * <pre>
 *   out[..., 0] = x[..., 2] - 103.939      (B)
 *   out[..., 1] = x[..., 1] - 116.779      (G)
 *   out[..., 2] = x[..., 0] - 123.68       (R)
 * </pre>
 * in float32, as Keras computes it. Here, below both the applications and the Keras formats, so that both use
 * it ({@code ImageNet.preprocessInput}, {@code ModelMetadata.preprocess}) without depending on each other.
 */
public final class CaffePreprocessing {

    private static final float[] CAFFE_MEAN_BGR = {103.939f, 116.779f, 123.68f};

    private CaffePreprocessing() {
    }

    /** {@code rgb} holds pixels in [0, 255] with 3 channels last (any rank); the result is a new tensor. */
    public static Tensor apply(Tensor rgb) {
        if (rgb.rank() < 1 || rgb.dim(-1) != 3) {
            throw new IllegalArgumentException("preprocessInput expects RGB images with 3 channels last, got shape "
                    + Shapes.toString(rgb.shape()));
        }
        Tensor out = Tensor.zeros(rgb.shape());
        for (int pixel = 0; pixel < rgb.size(); pixel += 3) {
            for (int c = 0; c < 3; c++) {
                out.data().put(pixel + c, rgb.data().get(pixel + 2 - c) - CAFFE_MEAN_BGR[c]);
            }
        }
        return out;
    }
}
