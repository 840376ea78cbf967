package dev.convey.data;

/**
 * Keras' {@code apply_affine_transform} and {@code flip_axis} on one image {@code (H, W, C)} held as a float
 * array in HWC order.
 *
 * <p>Keras composes rotation, shift, shear and zoom into ONE 3x3 matrix acting on (row, col, 1) coordinates,
 * moves its origin to the image centre, and lets {@code scipy.ndimage.affine_transform} pull every output pixel
 * from the input position {@code M * (row, col, 1)} (the matrix maps output to input, so a shift of +1 row shows
 * the content one row UP). The matrix, with angles in radians and shifts in pixels:
 * <pre>
 *   M = C * R(theta) * T(tx, ty) * S(shear) * Z(zx, zy) * C^-1
 *   R = [[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]]      T = [[1, 0, tx], [0, 1, ty], [0, 0, 1]]
 *   S = [[1, -sin(shear), 0], [0, cos(shear), 0], [0, 0, 1]]   Z = [[zx, 0, 0], [0, zy, 0], [0, 0, 1]]
 *   C = translation by (h/2 - 0.5, w/2 - 0.5), the centre of the pixel grid
 * </pre>
 * tx moves along rows (Keras' height shift), ty along columns; zx scales rows, zy columns (a zoom above 1
 * samples a larger area, so the picture shrinks).
 */
public final class AffineTransforms {

    private AffineTransforms() {
    }

    /**
     * Keras' matrix for the given parameters (degrees and pixels), row-major 3x3, or null when all of them are
     * neutral (Keras then leaves the image untouched).
     */
    public static double[] kerasMatrix(double thetaDegrees, double tx, double ty, double shearDegrees,
                                       double zx, double zy, int height, int width) {
        double[] m = null;
        if (thetaDegrees != 0) {
            double t = Math.toRadians(thetaDegrees);
            m = new double[] {Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1};
        }
        if (tx != 0 || ty != 0) {
            m = times(m, new double[] {1, 0, tx, 0, 1, ty, 0, 0, 1});
        }
        if (shearDegrees != 0) {
            double s = Math.toRadians(shearDegrees);
            m = times(m, new double[] {1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1});
        }
        if (zx != 1 || zy != 1) {
            m = times(m, new double[] {zx, 0, 0, 0, zy, 0, 0, 0, 1});
        }
        if (m == null) {
            return null;
        }
        double oRow = height / 2.0 - 0.5;
        double oCol = width / 2.0 - 0.5;
        double[] toCentre = {1, 0, oRow, 0, 1, oCol, 0, 0, 1};
        double[] fromCentre = {1, 0, -oRow, 0, 1, -oCol, 0, 0, 1};
        return times(times(toCentre, m), fromCentre);
    }

    // 3x3 row-major product a * b (a null means the identity).
    private static double[] times(double[] a, double[] b) {
        if (a == null) {
            return b;
        }
        double[] c = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
            }
        }
        return c;
    }

    /**
     * Resamples an HWC image through {@code matrix} (output -> input, row-major 3x3) as scipy's
     * {@code affine_transform(order)} does per channel: input position p = M (r, c, 1); order 0 reads the
     * pixel {@code floor(p + 0.5)}, order 1 is bilinear:
     * {@code out = sum over the 4 neighbours of (1 - |pr - i|)(1 - |pc - j|) in[i, j]}.
     */
    public static float[] transform(float[] in, int h, int w, int channels, double[] matrix, FillMode fill,
                                    float cval, int order) {
        if (order != 0 && order != 1) {
            throw new IllegalArgumentException("interpolation_order must be 0 (nearest) or 1 (bilinear), got "
                    + order);
        }
        float[] out = new float[in.length];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double pr = fill.mapCoordinate(matrix[0] * r + matrix[1] * c + matrix[2], h);
                double pc = fill.mapCoordinate(matrix[3] * r + matrix[4] * c + matrix[5], w);
                int o = (r * w + c) * channels;
                if (Double.isNaN(pr) || Double.isNaN(pc)) {
                    java.util.Arrays.fill(out, o, o + channels, cval);
                } else if (order == 0) {
                    int i = fill.tapIndex((int) Math.floor(pr + 0.5), h);
                    int j = fill.tapIndex((int) Math.floor(pc + 0.5), w);
                    System.arraycopy(in, (i * w + j) * channels, out, o, channels);
                } else {
                    bilinear(in, h, w, channels, pr, pc, fill, out, o);
                }
            }
        }
        return out;
    }

    // Bilinear sample at (pr, pc): weights (1 - fr, fr) on rows i0, i0 + 1 and (1 - fc, fc) on columns j0, j0 + 1.
    private static void bilinear(float[] in, int h, int w, int channels, double pr, double pc, FillMode fill,
                                 float[] out, int o) {
        int i0 = (int) Math.floor(pr);
        int j0 = (int) Math.floor(pc);
        double fr = pr - i0;
        double fc = pc - j0;
        int top = fill.tapIndex(i0, h) * w;
        int bottom = fill.tapIndex(i0 + 1, h) * w;
        int left = fill.tapIndex(j0, w);
        int right = fill.tapIndex(j0 + 1, w);
        for (int ch = 0; ch < channels; ch++) {
            double v = (1 - fr) * ((1 - fc) * in[(top + left) * channels + ch] + fc * in[(top + right) * channels + ch])
                    + fr * ((1 - fc) * in[(bottom + left) * channels + ch] + fc * in[(bottom + right) * channels + ch]);
            out[o + ch] = (float) v;
        }
    }

    /** Keras' {@code flip_axis(x, col_axis)}: mirror left-right, in place. */
    public static void flipHorizontal(float[] image, int h, int w, int channels) {
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w / 2; c++) {
                swapPixels(image, (r * w + c) * channels, (r * w + w - 1 - c) * channels, channels);
            }
        }
    }

    /** Keras' {@code flip_axis(x, row_axis)}: mirror top-bottom, in place. */
    public static void flipVertical(float[] image, int h, int w, int channels) {
        for (int r = 0; r < h / 2; r++) {
            for (int c = 0; c < w; c++) {
                swapPixels(image, (r * w + c) * channels, ((h - 1 - r) * w + c) * channels, channels);
            }
        }
    }

    private static void swapPixels(float[] image, int a, int b, int channels) {
        for (int ch = 0; ch < channels; ch++) {
            float t = image[a + ch];
            image[a + ch] = image[b + ch];
            image[b + ch] = t;
        }
    }
}
