package dev.convey.data;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code imagenet_utils.preprocess_input(x, mode)} in float32, for RGB pixels in [0, 255], 3 channels last:
 * <pre>
 *   caffe   RGB to BGR, minus the ImageNet mean per channel ({@link CaffePreprocessing})   (VGG16, ResNet50)
 *   tf      x / 127.5 - 1                                   (MobileNet, MobileNetV2, Xception, InceptionV3, ResNetV2)
 *   torch   (x / 255 - mean[c]) / std[c], mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)   (DenseNet)
 *   none    x unchanged (EfficientNet: its preprocessing is inside the model)
 * </pre>
 * Here, below both the applications and the Keras formats, so that {@code ImageNet.preprocessInput} and
 * {@code ModelMetadata.preprocess} share it without depending on each other.
 */
public final class PreprocessInput {

    /** Keras' torch-mode statistics (RGB). */
    private static final float[] TORCH_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] TORCH_STD = {0.229f, 0.224f, 0.225f};

    private PreprocessInput() {
    }

    /** The result is a new tensor; an unknown mode is an error naming the four known ones. */
    public static Tensor apply(Tensor rgb, String mode) {
        if (mode.equals("caffe")) {
            return CaffePreprocessing.apply(rgb);
        }
        if (!mode.equals("tf") && !mode.equals("torch") && !mode.equals("none")) {
            throw new IllegalArgumentException("Unknown preprocess_input mode '" + mode
                    + "'; expected caffe, tf, torch or none");
        }
        if (rgb.rank() < 1 || rgb.dim(-1) != 3) {
            throw new IllegalArgumentException("preprocessInput expects RGB images with 3 channels last, got shape "
                    + Shapes.toString(rgb.shape()));
        }
        Tensor out = Tensor.zeros(rgb.shape());
        for (int i = 0; i < rgb.size(); i++) {
            float x = rgb.data().get(i);
            out.data().put(i, switch (mode) {
                case "tf" -> x / 127.5f - 1f;
                case "torch" -> (x / 255f - TORCH_MEAN[i % 3]) / TORCH_STD[i % 3];
                default -> x;
            });
        }
        return out;
    }
}
