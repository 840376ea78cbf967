package dev.convey.data;

/**
 * How {@link Images} resizes, by Keras' names ({@code load_img(interpolation=...)}), each computed as Pillow
 * computes it, because Keras resizes with {@code PIL.Image.resize}.
 *
 * <p>{@link #NEAREST} picks source pixel {@code floor((dst + 0.5) * in / out)}. The others are Pillow's
 * separable convolution resampling: output pixel {@code i} has its centre at {@code c = (i + 0.5) * in / out} in
 * the input, and averages the input pixels {@code j} with weights {@code filter((j + 0.5 - c) / s)} normalised to
 * sum 1, where {@code s = max(in / out, 1)}. Stretching the filter by {@code s} when shrinking is the antialias:
 * every input pixel contributes, none is skipped.
 */
public enum Interpolation {
    NEAREST(0),
    /** Triangle filter {@code 1 - |x|} on [-1, 1]: linear interpolation when enlarging. */
    BILINEAR(1),
    /** Keys' cubic with a = -0.5 on [-2, 2]. */
    BICUBIC(2),
    /** sinc(x) sinc(x / 3) on [-3, 3]. */
    LANCZOS(3),
    /** The box [-0.5, 0.5]: a plain average of the covered pixels. */
    BOX(0.5),
    /** sinc(x) times a Hamming window on [-1, 1]. */
    HAMMING(1);

    /** Half-width of the filter in input pixels before stretching. */
    final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** The filter's weight at distance {@code x} (Pillow's Resample.c filters). */
    double weight(double x) {
        switch (this) {
            case BILINEAR:
                x = Math.abs(x);
                return x < 1 ? 1 - x : 0;
            case BICUBIC: {
                double a = -0.5;
                x = Math.abs(x);
                if (x < 1) {
                    return ((a + 2) * x - (a + 3)) * x * x + 1;
                }
                return x < 2 ? (((x - 5) * x + 8) * x - 4) * a : 0;
            }
            case LANCZOS:
                return x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
            case BOX:
                return x > -0.5 && x <= 0.5 ? 1 : 0;
            case HAMMING:
                x = Math.abs(x);
                if (x == 0) {
                    return 1;
                }
                if (x >= 1) {
                    return 0;
                }
                x *= Math.PI;
                return Math.sin(x) / x * (0.54 + 0.46 * Math.cos(x));
            default:
                throw new IllegalStateException("NEAREST has no filter");
        }
    }

    /** Keras' name, e.g. {@code "bilinear"}. */
    public String kerasName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** By Keras' name ({@code "nearest"}, {@code "bilinear"}, {@code "bicubic"}, {@code "lanczos"}, ...). */
    public static Interpolation of(String kerasName) {
        for (Interpolation i : values()) {
            if (i.kerasName().equals(kerasName)) {
                return i;
            }
        }
        throw new IllegalArgumentException("Unknown interpolation '" + kerasName
                + "': expected nearest, bilinear, bicubic, lanczos, box or hamming");
    }

    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        x *= Math.PI;
        return Math.sin(x) / x;
    }
}
