package dev.convey.torch;

import java.nio.file.Path;
import java.util.Random;

import dev.convey.data.ColorMode;
import dev.convey.data.Images;
import dev.convey.data.Images.Pixels;
import dev.convey.data.Interpolation;
import dev.convey.tensor.Tensor;

/**
 * torchvision's {@code transforms} on PIL images, pixel for pixel (torchvision 0.14, Pillow 9.4):
 * <pre>
 *   eval:   Resize(256), CenterCrop(224), ToTensor(), Normalize(IMAGENET_MEAN, IMAGENET_STD)
 *   train:  RandomResizedCrop(224), RandomHorizontalFlip(), ToTensor(), Normalize(...)
 * </pre>
 * Resizing is Pillow's {@code Image.resize(size, BILINEAR)} ({@link Images#resize}): a separable triangle
 * filter stretched by the scale when shrinking (the antialias), 8-bit rounding after each pass. Outputs are
 * HWC float tensors, as Convey's models take them (PyTorch's ToTensor gives CHW; the values are the same).
 */
public final class TorchTransforms {

    /** ImageNet's channel means and standard deviations, as torchvision's pretrained models expect. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private TorchTransforms() {
    }

    /** The evaluation pipeline of torchvision's ImageNet models, on an image file: a (224, 224, 3) tensor. */
    public static Tensor imagenetEval(Path image) {
        return imagenetEval(Images.decode(image, ColorMode.RGB), 256, 224);
    }

    /** Resize(resize), CenterCrop(crop), ToTensor, Normalize(ImageNet). */
    public static Tensor imagenetEval(Pixels image, int resize, int crop) {
        return normalize(centerCrop(resize(image, resize), crop, crop), IMAGENET_MEAN, IMAGENET_STD);
    }

    /**
     * {@code Resize(size)}: the shorter side becomes {@code size}, the longer {@code int(size * long / short)}
     * (truncated, as torchvision computes it); bilinear with Pillow's antialias.
     */
    public static Pixels resize(Pixels image, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("Resize size must be positive, got " + size);
        }
        int h = image.height(), w = image.width();
        int longSide = (int) ((long) size * Math.max(h, w) / Math.min(h, w));
        int newH = h <= w ? size : longSide;
        int newW = h <= w ? longSide : size;
        if (newH == h && newW == w) {
            return image;
        }
        return Images.resize(image, newH, newW, Interpolation.BILINEAR);
    }

    /**
     * {@code CenterCrop((height, width))}: top = round((H - height) / 2), left = round((W - width) / 2) with
     * Python's round (half to even); an image smaller than the crop is first zero-padded, (crop - size) // 2 on
     * the top/left and the rest on the bottom/right, as torchvision does.
     */
    public static Pixels centerCrop(Pixels image, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("CenterCrop size must be positive, got " + height + "x" + width);
        }
        if (height > image.height() || width > image.width()) {
            int top = height > image.height() ? (height - image.height()) / 2 : 0;
            int left = width > image.width() ? (width - image.width()) / 2 : 0;
            int padH = Math.max(height, image.height()), padW = Math.max(width, image.width());
            image = pad(image, top, left, padH, padW);
        }
        int top = (int) Math.rint((image.height() - height) / 2.0);
        int left = (int) Math.rint((image.width() - width) / 2.0);
        return crop(image, top, left, height, width);
    }

    /** The rectangle at (top, left) of the given size (torchvision's {@code F.crop}, inside the image). */
    public static Pixels crop(Pixels image, int top, int left, int height, int width) {
        if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > image.height() || left + width > image.width()) {
            throw new IllegalArgumentException("crop (top " + top + ", left " + left + ", " + height + "x" + width
                    + ") does not fit a " + image.height() + "x" + image.width() + " image");
        }
        int c = image.channels();
        int[] out = new int[height * width * c];
        for (int y = 0; y < height; y++) {
            System.arraycopy(image.values(), ((top + y) * image.width() + left) * c, out, y * width * c, width * c);
        }
        return new Pixels(height, width, c, out);
    }

    private static Pixels pad(Pixels image, int top, int left, int height, int width) {
        int c = image.channels();
        int[] out = new int[height * width * c];
        for (int y = 0; y < image.height(); y++) {
            System.arraycopy(image.values(), y * image.width() * c, out, ((top + y) * width + left) * c, image.width() * c);
        }
        return new Pixels(height, width, c, out);
    }

    /** {@code F.hflip}: the image mirrored left to right. */
    public static Pixels horizontalFlip(Pixels image) {
        int h = image.height(), w = image.width(), c = image.channels();
        int[] out = new int[h * w * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(image.values(), (y * w + x) * c, out, (y * w + (w - 1 - x)) * c, c);
            }
        }
        return new Pixels(h, w, c, out);
    }

    /** {@code RandomHorizontalFlip(p)}: the mirror image with probability p. */
    public static Pixels randomHorizontalFlip(Pixels image, double p, Random random) {
        return random.nextDouble() < p ? horizontalFlip(image) : image;
    }

    /**
     * {@code ToTensor()} then {@code Normalize(mean, std)}: {@code (v / 255 - mean[c]) / std[c]} in float32,
     * as (H, W, C).
     */
    public static Tensor normalize(Pixels image, float[] mean, float[] std) {
        int c = image.channels();
        if (mean.length != c || std.length != c) {
            throw new IllegalArgumentException("Normalize needs " + c + " means and stds, got " + mean.length
                    + " and " + std.length);
        }
        int[] v = image.values();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (v[i] / 255f - mean[i % c]) / std[i % c];
        }
        return Tensor.of(out, image.height(), image.width(), c);
    }

    /** The training pipeline: RandomResizedCrop(size), RandomHorizontalFlip(), ToTensor, Normalize(ImageNet). */
    public static Tensor imagenetTrain(Pixels image, int size, Random random) {
        Pixels crop = RandomResizedCrop.DEFAULT.apply(image, size, size, random);
        return normalize(randomHorizontalFlip(crop, 0.5, random), IMAGENET_MEAN, IMAGENET_STD);
    }
}
