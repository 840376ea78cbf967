package dev.convey.data;

/**
 * TensorFlow's {@code ImageProjectiveTransformV3} on one HWC float image, the resampler behind Keras 3's
 * {@code RandomRotation}, {@code RandomZoom} and {@code RandomTranslation} ({@code keras.ops.image.affine_transform}).
 *
 * <p>The 8 numbers {@code t = [a0, a1, a2, b0, b1, b2, c0, c1]} map each output pixel (column x, row y) to the
 * input position it reads:
 * <pre>
 *   k = c0 x + c1 y + 1;   x' = (a0 x + a1 y + a2) / k;   y' = (b0 x + b1 y + b2) / k     (k = 0: the fill value)
 * </pre>
 * x' and y' go through the fill mode's {@link FillMode#tfMapCoordinate}; then NEAREST reads pixel
 * (round(y'), round(x')) (halves away from zero) and BILINEAR the four pixels around (y', x') with weights
 * (1 - fy, fy) x (1 - fx, fx). A tap outside the image reads the fill value (only CONSTANT lets a tap fall outside).
 *
 * <p>Given t, the output is linear in the image: {@link #backward} is its adjoint (each output gradient goes back
 * to the pixels it read, with their weights), the exact gradient of {@link #apply}.
 */
public final class ProjectiveTransform {

    private ProjectiveTransform() {
    }

    /** The taps of one output pixel: up to 4 input pixels (y * w + x) and weights, the rest of the weight on the fill. */
    private static final class Taps {
        final int[] pixel = new int[4];
        final float[] weight = new float[4];
        int count;
        float fillWeight;

        void add(int y, int x, int h, int w, float wt) {
            if (y >= 0 && y < h && x >= 0 && x < w) {
                pixel[count] = y * w + x;
                weight[count++] = wt;
            } else {
                fillWeight += wt;
            }
        }
    }

    // The taps of output pixel (y, x) under t.
    private static void taps(float[] t, int y, int x, int h, int w, FillMode fill, boolean bilinear, Taps out) {
        out.count = 0;
        out.fillWeight = 0;
        float k = t[6] * x + t[7] * y + 1f;
        if (k == 0) {
            out.fillWeight = 1;
            return;
        }
        float px = fill.tfMapCoordinate((t[0] * x + t[1] * y + t[2]) / k, w);
        float py = fill.tfMapCoordinate((t[3] * x + t[4] * y + t[5]) / k, h);
        if (!bilinear) {
            out.add((int) roundHalfAway(py), (int) roundHalfAway(px), h, w, 1f);
            return;
        }
        float y0 = (float) Math.floor(py);
        float x0 = (float) Math.floor(px);
        float fy = py - y0;
        float fx = px - x0;
        out.add((int) y0, (int) x0, h, w, (1 - fy) * (1 - fx));
        out.add((int) y0, (int) x0 + 1, h, w, (1 - fy) * fx);
        out.add((int) y0 + 1, (int) x0, h, w, fy * (1 - fx));
        out.add((int) y0 + 1, (int) x0 + 1, h, w, fy * fx);
    }

    /** C's std::round: halves away from zero. */
    private static float roundHalfAway(float v) {
        return Math.signum(v) * (float) Math.floor(Math.abs(v) + 0.5f);
    }

    /**
     * {@code out = transform(in)} for one (h, w, c) image at {@code inOffset} / {@code outOffset}; {@code t} as
     * above, {@code fillValue} read outside the image.
     */
    public static void apply(float[] in, int inOffset, int h, int w, int c, float[] t, FillMode fill, float fillValue,
                             boolean bilinear, float[] out, int outOffset) {
        Taps taps = new Taps();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                taps(t, y, x, h, w, fill, bilinear, taps);
                int o = outOffset + (y * w + x) * c;
                for (int ch = 0; ch < c; ch++) {
                    float v = taps.fillWeight * fillValue;
                    for (int i = 0; i < taps.count; i++) {
                        v += taps.weight[i] * in[inOffset + taps.pixel[i] * c + ch];
                    }
                    out[o + ch] = v;
                }
            }
        }
    }

    /** The adjoint of {@link #apply}: adds into {@code dIn} each output gradient times the weight of each tap. */
    public static void backward(float[] dOut, int dOutOffset, int h, int w, int c, float[] t, FillMode fill,
                                boolean bilinear, float[] dIn, int dInOffset) {
        Taps taps = new Taps();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                taps(t, y, x, h, w, fill, bilinear, taps);
                int o = dOutOffset + (y * w + x) * c;
                for (int i = 0; i < taps.count; i++) {
                    int to = dInOffset + taps.pixel[i] * c;
                    for (int ch = 0; ch < c; ch++) {
                        dIn[to + ch] += taps.weight[i] * dOut[o + ch];
                    }
                }
            }
        }
    }
}
