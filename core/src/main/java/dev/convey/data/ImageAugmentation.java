package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Random augmentation of training batches from a short spec, in the Keras 3 augmentation layers' terms:
 * {@code "flip,rotate:0.1,zoom:0.2,shear:0.2,shift:0.1,contrast:0.1"}.
 * <ul>
 *   <li>{@code flip}: RandomFlip("horizontal"); {@code flip:vertical}, {@code flip:both};</li>
 *   <li>{@code rotate:F}: RandomRotation(F): an angle uniform in {@code ±F * 360} degrees;</li>
 *   <li>{@code zoom:F}: RandomZoom(F): scale uniform in {@code [1 - F, 1 + F]};</li>
 *   <li>{@code shift:F}: RandomTranslation(F, F): up to {@code F} of the height and width;</li>
 *   <li>{@code shear:F}: ImageDataGenerator's {@code shear_range=F} (degrees, as the Keras 2 tutorials use it);</li>
 *   <li>{@code contrast:F}: RandomContrast(F): per image, {@code (x - mean_c) * k + mean_c} with {@code k} uniform
 *       in {@code [1 - F, 1 + F]} and {@code mean_c} the channel's mean, clipped to 0..255.</li>
 * </ul>
 * The geometric part is {@link ImageDataGenerator}'s affine transform (nearest fill); each sample's random numbers
 * depend only on (seed, epoch, sample position), so background decoding does not change them.
 */
public final class ImageAugmentation {

    private final ImageDataGenerator geometry = new ImageDataGenerator();
    private double contrast;

    private ImageAugmentation() {
    }

    /** Parses the spec (see the class comment). */
    public static ImageAugmentation parse(String spec) {
        ImageAugmentation a = new ImageAugmentation();
        for (String part : spec.split(",")) {
            String[] f = part.trim().split(":");
            String kind = f[0].toLowerCase(Locale.ROOT);
            try {
                switch (kind) {
                    case "flip" -> {
                        String mode = f.length > 1 ? f[1] : "horizontal";
                        a.geometry.horizontalFlip(!mode.equals("vertical"));
                        a.geometry.verticalFlip(!mode.equals("horizontal"));
                        if (!java.util.List.of("horizontal", "vertical", "both").contains(mode)) {
                            throw new IllegalArgumentException("flip takes horizontal, vertical or both");
                        }
                    }
                    case "rotate" -> a.geometry.rotationRange(fraction(f) * 360);
                    case "zoom" -> a.geometry.zoomRange(fraction(f));
                    case "shift" -> {
                        a.geometry.widthShiftRange(fraction(f));
                        a.geometry.heightShiftRange(fraction(f));
                    }
                    case "shear" -> a.geometry.shearRange(Double.parseDouble(f[1]));
                    case "contrast" -> a.contrast = fraction(f);
                    default -> throw new IllegalArgumentException("unknown augmentation");
                }
            } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--augment '" + part + "': " + e.getMessage() + " (expected "
                        + "flip[:horizontal|vertical|both], rotate:F, zoom:F, shift:F, shear:DEGREES, contrast:F)", e);
            }
        }
        return a;
    }

    private static double fraction(String[] f) {
        double v = Double.parseDouble(f[1]);
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException("the factor must be in [0, 1), got " + v);
        }
        return v;
    }

    /** One image {@code (h, w, c)}: the random geometry, then the random contrast. */
    Tensor apply(Tensor image, SplittableRandom rng) {
        Tensor x = geometry.augment(image, rng);
        if (contrast > 0) {
            double k = 1 - contrast + 2 * contrast * rng.nextDouble();
            int c = x.dim(-1);
            int pixels = x.size() / c;
            double[] mean = new double[c];
            for (int i = 0; i < x.size(); i++) {
                mean[i % c] += x.data().get(i);
            }
            for (int i = 0; i < x.size(); i++) {
                double m = mean[i % c] / pixels;
                x.data().put(i, (float) Math.min(255, Math.max(0, (x.data().get(i) - m) * k + m)));
            }
        }
        return x;
    }

    /** The source's batches with every image augmented (labels unchanged). */
    public BatchSequence on(BatchSequence source, long seed) {
        return new MappedSequence(source, (batch, epoch, index) -> {
            Tensor x = batch.x();
            int n = x.dim(0);
            int size = x.size() / n;
            int[] shape = java.util.Arrays.copyOfRange(x.shape(), 1, x.rank());
            Tensor out = Tensor.zeros(x.shape());
            for (int i = 0; i < n; i++) {
                float[] one = new float[size];
                x.data().get(i * size, one);
                Tensor a = apply(Tensor.of(one, shape), Seeds.forSample(seed, epoch, index * n + i));
                out.data().put(i * size, a.data(), 0, size);
            }
            return batch.withX(out);
        });
    }

    /** The source's batches with {@code f} applied to the inputs, e.g. Keras' {@code preprocess_input}. */
    public static BatchSequence mapInputs(BatchSequence source, UnaryOperator<Tensor> f) {
        return new MappedSequence(source, (batch, epoch, index) -> batch.withX(f.apply(batch.x())));
    }
}
