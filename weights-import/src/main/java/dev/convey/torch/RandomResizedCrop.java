package dev.convey.torch;

import java.util.Random;

import dev.convey.data.Images;
import dev.convey.data.Images.Pixels;
import dev.convey.data.Interpolation;

/**
 * torchvision's {@code RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3/4, 4/3))}: a random rectangle
 * covering a random fraction of the image's area with a random aspect ratio (log-uniform), resized to the
 * output size with Pillow's bilinear filter. {@link #sample} is torchvision's {@code get_params}: ten tries of
 * <pre>
 *   area = H*W * U(scale);  aspect = exp(U(log ratio0, log ratio1))
 *   w = round(sqrt(area * aspect)),  h = round(sqrt(area / aspect));  accept if 0 < w <= W and 0 < h <= H,
 *   top = randint(0, H - h), left = randint(0, W - w)
 * </pre>
 * then the fallback: the whole image, cropped to the nearest allowed aspect ratio around its centre. (The
 * random numbers come from Java's generator, so the crops are torchvision's distribution, not its draws.)
 */
public final class RandomResizedCrop {

    /** torchvision's defaults. */
    public static final RandomResizedCrop DEFAULT = new RandomResizedCrop(0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);

    private final double minScale;
    private final double maxScale;
    private final double minRatio;
    private final double maxRatio;

    public RandomResizedCrop(double minScale, double maxScale, double minRatio, double maxRatio) {
        if (!(0 < minScale && minScale <= maxScale && 0 < minRatio && minRatio <= maxRatio)) {
            throw new IllegalArgumentException("RandomResizedCrop needs 0 < scale0 <= scale1 and 0 < ratio0 <= ratio1, got scale ("
                    + minScale + ", " + maxScale + "), ratio (" + minRatio + ", " + maxRatio + ")");
        }
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.minRatio = minRatio;
        this.maxRatio = maxRatio;
    }

    /** The crop rectangle {top, left, height, width} for an image of this size. */
    public int[] sample(int height, int width, Random random) {
        double area = (double) height * width;
        double logMin = Math.log(minRatio), logMax = Math.log(maxRatio);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (minScale + (maxScale - minScale) * random.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * random.nextDouble());
            int w = (int) Math.rint(Math.sqrt(target * aspect));
            int h = (int) Math.rint(Math.sqrt(target / aspect));
            if (0 < w && w <= width && 0 < h && h <= height) {
                return new int[] {random.nextInt(height - h + 1), random.nextInt(width - w + 1), h, w};
            }
        }
        double inRatio = (double) width / height;
        int w = width, h = height;
        if (inRatio < minRatio) {
            h = (int) Math.rint(w / minRatio);
        } else if (inRatio > maxRatio) {
            w = (int) Math.rint(h * maxRatio);
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    /** A random crop resized to (outHeight, outWidth). */
    public Pixels apply(Pixels image, int outHeight, int outWidth, Random random) {
        int[] r = sample(image.height(), image.width(), random);
        return resizedCrop(image, r[0], r[1], r[2], r[3], outHeight, outWidth);
    }

    /** torchvision's {@code F.resized_crop(img, top, left, height, width, size)}: crop, then bilinear resize. */
    public static Pixels resizedCrop(Pixels image, int top, int left, int height, int width, int outHeight, int outWidth) {
        Pixels crop = TorchTransforms.crop(image, top, left, height, width);
        return crop.height() == outHeight && crop.width() == outWidth ? crop
                : Images.resize(crop, outHeight, outWidth, Interpolation.BILINEAR);
    }
}
