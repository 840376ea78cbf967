package dev.convey.data;

/**
 * Keras' {@code fill_mode}: what an augmentation sees outside the image. Keras 2's ImageDataGenerator hands it to
 * {@code scipy.ndimage.affine_transform}, so these follow SciPy's modes on a row {@code a b c d} (Keras 3's
 * image layers use TensorFlow's instead: {@link #tfMapCoordinate}):
 * <ul>
 *   <li>{@link #NEAREST}: {@code a a a | a b c d | d d d}</li>
 *   <li>{@link #CONSTANT}: {@code k k k | a b c d | k k k} with {@code k = cval}; a position is outside when it
 *       is more than 0 pixels beyond the first or last pixel centre</li>
 *   <li>{@link #REFLECT}: {@code c b a | a b c d | d c b}, mirrored about the image's edge</li>
 *   <li>{@link #WRAP}: SciPy's legacy {@code wrap}, period {@code n - 1}: {@code b c | a b c d | b c}</li>
 * </ul>
 */
public enum FillMode {
    NEAREST, CONSTANT, REFLECT, WRAP;

    /**
     * SciPy's {@code map_coordinate}: brings a sampling position {@code p} along an axis of {@code n} pixels
     * back towards {@code [0, n - 1]}; NaN means "outside" for {@link #CONSTANT}.
     */
    double mapCoordinate(double p, int n) {
        if (p >= 0 && p <= n - 1) {
            return p;
        }
        if (n <= 1) {
            return this == CONSTANT ? Double.NaN : 0;
        }
        switch (this) {
            case NEAREST:
                return p < 0 ? 0 : n - 1;
            case CONSTANT:
                return Double.NaN;
            case REFLECT: {
                // Period 2n, mirror about -0.5: p -> -1 - p. The result may lie in (-1, 0) or (n - 1, n): the
                // extended row is symmetric there, and the taps are reflected again by reflectIndex.
                int period = 2 * n;
                if (p < 0) {
                    if (p < -period) {
                        p += period * (long) (-p / period);
                    }
                    return p < -n ? p + period : -p - 1;
                }
                p -= period * (long) (p / period);
                return p >= n ? period - p - 1 : p;
            }
            case WRAP: {
                int period = n - 1;
                if (p < 0) {
                    return p + period * ((long) (-p / period) + 1);
                }
                return p - period * (long) (p / period);
            }
            default:
                throw new IllegalStateException(name());
        }
    }

    /**
     * TensorFlow's {@code MapCoordinate} of {@code ImageProjectiveTransformV3} (what Keras 3's image layers use),
     * which differs from SciPy's at the edges: REFLECT {@code d c b a | a b c d | d c b a} and WRAP
     * {@code a b c d | a b c d} with period n, NEAREST a clamp, then all three clamped to [0, n - 1]; CONSTANT leaves
     * p as it is (the taps outside read the fill value). In float, as TF computes it.
     */
    public float tfMapCoordinate(float p, int n) {
        float q = p;
        switch (this) {
            case CONSTANT:
                return p;
            case NEAREST:
                break;
            case REFLECT:
                if (q < 0) {
                    if (n <= 1) {
                        q = 0;
                    } else {
                        long period = 2L * n;
                        q = period * (long) (-q / period) + q;
                        q = q < -n ? q + period : -q - 1;
                    }
                } else if (q > n - 1) {
                    if (n <= 1) {
                        q = 0;
                    } else {
                        long period = 2L * n;
                        q -= period * (long) (q / period);
                        if (q >= n) {
                            q = period - q - 1;
                        }
                    }
                }
                break;
            case WRAP:
                if (q < 0) {
                    q = n <= 1 ? 0 : q + n * ((long) (-q / (n - 1)) + 1);
                } else if (q > n - 1) {
                    q = n <= 1 ? 0 : q - n * (long) (q / (n - 1));
                }
                break;
            default:
                throw new IllegalStateException(name());
        }
        return Math.max(0f, Math.min(n - 1f, q));
    }

    /** The pixel read for integer tap {@code i} next to a mapped position: reflected for REFLECT, else clamped. */
    int tapIndex(int i, int n) {
        if (this == REFLECT) {
            if (i < 0) {
                i = -1 - i;
            }
            if (i >= n) {
                i = 2 * n - 1 - i;
            }
        }
        return Math.max(0, Math.min(n - 1, i));
    }

    /** By Keras' name. */
    public static FillMode of(String kerasName) {
        for (FillMode m : values()) {
            if (m.name().equalsIgnoreCase(kerasName)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown fill_mode '" + kerasName
                + "': expected nearest, constant, reflect or wrap");
    }
}
