package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Keras' {@code ImageDataGenerator}: random augmentation and rescaling of images, and the iterators that feed
 * them to training ({@link #flowFromDirectory}, {@link #flow}). Configure with Keras' arguments as fluent
 * setters:
 * <pre>
 *   var gen = new ImageDataGenerator().rescale(1 / 255.0).rotationRange(20).zoomRange(0.2)
 *           .horizontalFlip(true).validationSplit(0.2);
 *   DirectoryIterator train = gen.flowFromDirectory(dir, 150, 150, 32, ClassMode.BINARY, true, 42,
 *           ImageDataGenerator.Subset.TRAINING);
 * </pre>
 * Per image, as Keras' iterators do: draw a {@link RandomTransform}, apply it (one affine resampling, then the
 * flips), then {@link #standardize} (preprocessing function, then rescale). The random draws come from a
 * generator seeded by (seed, epoch, sample), so results do not depend on threads or batch order.
 */
public final class ImageDataGenerator {

    /** Keras' {@code subset} of a generator with {@code validation_split}. */
    public enum Subset { TRAINING, VALIDATION }

    /** Keras' {@code get_random_transform} result: angles in degrees, shifts in pixels. */
    public record RandomTransform(double theta, double tx, double ty, double shear, double zx, double zy,
                                  boolean flipHorizontal, boolean flipVertical) {
        /** The transform that changes nothing. */
        public static final RandomTransform IDENTITY = new RandomTransform(0, 0, 0, 0, 1, 1, false, false);
    }

    private double rescale;
    private double rotationRange;
    private double widthShiftRange;
    private double heightShiftRange;
    private double shearRange;
    private double zoomLow = 1;
    private double zoomHigh = 1;
    private boolean horizontalFlip;
    private boolean verticalFlip;
    private FillMode fillMode = FillMode.NEAREST;
    private float cval;
    private double validationSplit;
    private int interpolationOrder = 1;
    private UnaryOperator<Tensor> preprocessingFunction;

    /** Multiply every value by this after augmentation (Keras' {@code rescale}); 0 means none. */
    public ImageDataGenerator rescale(double factor) {
        this.rescale = factor;
        return this;
    }

    /** Random rotation uniformly in [-degrees, degrees]. */
    public ImageDataGenerator rotationRange(double degrees) {
        this.rotationRange = requireNonNegative(degrees, "rotation_range");
        return this;
    }

    /** Random horizontal shift uniformly in [-r, r]: a fraction of the width if r < 1, else pixels. */
    public ImageDataGenerator widthShiftRange(double range) {
        this.widthShiftRange = requireNonNegative(range, "width_shift_range");
        return this;
    }

    /** Random vertical shift uniformly in [-r, r]: a fraction of the height if r < 1, else pixels. */
    public ImageDataGenerator heightShiftRange(double range) {
        this.heightShiftRange = requireNonNegative(range, "height_shift_range");
        return this;
    }

    /** Random shear angle uniformly in [-degrees, degrees] (Keras' {@code shear_range} is in degrees). */
    public ImageDataGenerator shearRange(double degrees) {
        this.shearRange = requireNonNegative(degrees, "shear_range");
        return this;
    }

    /** Zoom factors drawn independently per axis, uniformly in [1 - z, 1 + z]. */
    public ImageDataGenerator zoomRange(double z) {
        return zoomRange(1 - z, 1 + z);
    }

    /** Zoom factors drawn independently per axis, uniformly in [low, high]. */
    public ImageDataGenerator zoomRange(double low, double high) {
        if (!(low > 0) || !(high >= low)) {
            throw new IllegalArgumentException("zoom_range must be [low, high] with 0 < low <= high, got [" + low
                    + ", " + high + "]");
        }
        this.zoomLow = low;
        this.zoomHigh = high;
        return this;
    }

    /** Mirror left-right with probability 1/2. */
    public ImageDataGenerator horizontalFlip(boolean flip) {
        this.horizontalFlip = flip;
        return this;
    }

    /** Mirror top-bottom with probability 1/2. */
    public ImageDataGenerator verticalFlip(boolean flip) {
        this.verticalFlip = flip;
        return this;
    }

    /** How points outside the image are filled (default nearest, as Keras). */
    public ImageDataGenerator fillMode(FillMode mode) {
        this.fillMode = mode;
        return this;
    }

    /** The value outside the image for {@link FillMode#CONSTANT}. */
    public ImageDataGenerator cval(float value) {
        this.cval = value;
        return this;
    }

    /** Fraction of every class held out as the {@link Subset#VALIDATION} subset (the first files in order). */
    public ImageDataGenerator validationSplit(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation_split must be strictly between 0 and 1, got " + fraction);
        }
        this.validationSplit = fraction;
        return this;
    }

    /** 0 = nearest, 1 = bilinear (Keras' default) resampling in the affine transform. */
    public ImageDataGenerator interpolationOrder(int order) {
        if (order != 0 && order != 1) {
            throw new IllegalArgumentException("interpolation_order must be 0 or 1, got " + order);
        }
        this.interpolationOrder = order;
        return this;
    }

    /**
     * A function run on each image {@code (H, W, C)} after augmentation and before rescaling, e.g. a model's
     * {@code preprocess_input}. It may modify its argument and return it.
     */
    public ImageDataGenerator preprocessingFunction(UnaryOperator<Tensor> function) {
        this.preprocessingFunction = function;
        return this;
    }

    public double validationSplit() {
        return validationSplit;
    }

    /**
     * Keras' {@code get_random_transform}: the parameters for one image of {@code height x width}, drawn in
     * Keras' order (rotation, height shift, width shift, shear, zoom rows and columns, flips).
     */
    public RandomTransform randomTransform(int height, int width, SplittableRandom rng) {
        double theta = rotationRange != 0 ? uniform(rng, -rotationRange, rotationRange) : 0;
        double tx = heightShiftRange != 0 ? uniform(rng, -heightShiftRange, heightShiftRange) : 0;
        if (heightShiftRange < 1) {
            tx *= height;
        }
        double ty = widthShiftRange != 0 ? uniform(rng, -widthShiftRange, widthShiftRange) : 0;
        if (widthShiftRange < 1) {
            ty *= width;
        }
        double shear = shearRange != 0 ? uniform(rng, -shearRange, shearRange) : 0;
        double zx = 1;
        double zy = 1;
        if (zoomLow != 1 || zoomHigh != 1) {
            zx = uniform(rng, zoomLow, zoomHigh);
            zy = uniform(rng, zoomLow, zoomHigh);
        }
        boolean flipH = rng.nextDouble() < 0.5 && horizontalFlip;
        boolean flipV = rng.nextDouble() < 0.5 && verticalFlip;
        return new RandomTransform(theta, tx, ty, shear, zx, zy, flipH, flipV);
    }

    /** Keras' {@code apply_transform} on one image {@code (H, W, C)}: a new tensor. */
    public Tensor applyTransform(Tensor image, RandomTransform t) {
        int[] s = requireImage(image);
        float[] out = applyTransform(image.toArray(), s[0], s[1], s[2], t);
        return Tensor.of(out, s);
    }

    /** Keras' {@code standardize}: the preprocessing function, then {@code x *= rescale}. In place. */
    public Tensor standardize(Tensor image) {
        Tensor x = preprocessingFunction != null ? preprocessingFunction.apply(image) : image;
        if (rescale != 0) {
            for (int i = 0; i < x.size(); i++) {
                x.data().put(i, (float) (x.data().get(i) * rescale));
            }
        }
        return x;
    }

    /** One image through the whole chain: random transform drawn from {@code rng}, applied, standardized. */
    Tensor augment(Tensor image, SplittableRandom rng) {
        int[] s = requireImage(image);
        RandomTransform t = randomTransform(s[0], s[1], rng);
        if (!t.equals(RandomTransform.IDENTITY)) {
            image = Tensor.of(applyTransform(image.toArray(), s[0], s[1], s[2], t), s);
        }
        return standardize(image);
    }

    private float[] applyTransform(float[] x, int h, int w, int c, RandomTransform t) {
        double[] m = AffineTransforms.kerasMatrix(t.theta(), t.tx(), t.ty(), t.shear(), t.zx(), t.zy(), h, w);
        if (m != null) {
            x = AffineTransforms.transform(x, h, w, c, m, fillMode, cval, interpolationOrder);
        }
        if (t.flipHorizontal()) {
            AffineTransforms.flipHorizontal(x, h, w, c);
        }
        if (t.flipVertical()) {
            AffineTransforms.flipVertical(x, h, w, c);
        }
        return x;
    }

    /**
     * Keras' {@code flow_from_directory}: one sub-folder per class (alphanumeric order gives the class indices),
     * images resized to {@code targetHeight x targetWidth} (nearest, as Keras' default), RGB.
     * {@code subset} may be null (all files); otherwise {@link #validationSplit} must be set.
     */
    public DirectoryIterator flowFromDirectory(Path directory, int targetHeight, int targetWidth, int batchSize,
                                               ClassMode classMode, boolean shuffle, long seed, Subset subset) {
        return flowFromDirectory(directory, DirectoryIterator.options().targetSize(targetHeight, targetWidth)
                .batchSize(batchSize).classMode(classMode).shuffle(shuffle).seed(seed).subset(subset));
    }

    /** {@code flow_from_directory} with all of {@link DirectoryIterator.Options}. */
    public DirectoryIterator flowFromDirectory(Path directory, DirectoryIterator.Options options) {
        return new DirectoryIterator(directory, this, options);
    }

    /**
     * Keras' {@code flow(x, y)}: in-memory images {@code (N, H, W, C)} with targets {@code (N, ...)}, augmented
     * per sample. With a subset, the first {@code int(validationSplit * N)} samples are the validation subset.
     */
    public ArraySequence flow(Tensor x, Tensor y, int batchSize, boolean shuffle, long seed, Subset subset) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("flow: x must be images (N, H, W, C), got shape "
                    + dev.convey.tensor.Shapes.toString(x.shape()));
        }
        if (subset != null) {
            int[] range = splitRange(x.dim(0), subset);
            x = x.batchSlice(range[0], range[1] - range[0]);
            y = y.batchSlice(range[0], range[1] - range[0]);
        }
        return new ArraySequence(x, y, null, batchSize, shuffle, seed, this);
    }

    /**
     * Keras' split rule: of {@code n} items (per class for directories), the validation subset is
     * {@code [0, int(split * n))} and the training subset {@code [int(split * n), n)}.
     */
    int[] splitRange(int n, Subset subset) {
        if (subset == null) {
            return new int[] {0, n};
        }
        if (validationSplit == 0) {
            throw new IllegalStateException("subset " + subset + " requested, but the ImageDataGenerator has no "
                    + "validationSplit: set validationSplit(fraction) first");
        }
        int cut = (int) (validationSplit * n);
        return subset == Subset.VALIDATION ? new int[] {0, cut} : new int[] {cut, n};
    }

    private static int[] requireImage(Tensor image) {
        if (image.rank() != 3) {
            throw new IllegalArgumentException("Expected one image (H, W, C), got shape "
                    + dev.convey.tensor.Shapes.toString(image.shape()));
        }
        return image.shape();
    }

    private static double uniform(SplittableRandom rng, double low, double high) {
        return low + (high - low) * rng.nextDouble();
    }

    private static double requireNonNegative(double v, String name) {
        if (!(v >= 0)) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        }
        return v;
    }
}
