package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.util.Locale;

/**
 * TensorFlow's {@code tf.image.resize(image, size, method)} (half-pixel centres, no antialiasing, float
 * results), which Keras' {@code image_dataset_from_directory} applies to the decoded 8-bit image and Keras 3's
 * {@code Resizing}, {@code CenterCrop} and {@code RandomCrop} layers apply to float images, and the two
 * aspect-ratio keeping variants it offers: {@code crop_to_aspect_ratio} (Keras' {@code smart_resize}: the
 * largest centred window of the target's aspect ratio, then resized) and {@code pad_to_aspect_ratio}
 * ({@code tf.image.resize_with_pad}: resized to fit, centred on zeros).
 *
 * <p>One sampler serves both: it reads any {@link Source} (8-bit pixels, or one image of a float batch) and has
 * an adjoint ({@link #resizeBackward}), the gradient of the resize with respect to its input.
 */
public final class TfResize {

    /** The interpolations implemented here, by Keras' names. */
    public enum Method {
        /** Source pixel {@code min(floor((i + 0.5) * in / out), in - 1)}. */
        NEAREST,
        /**
         * Source position {@code s = (i + 0.5) * in / out - 0.5}; neighbours {@code max(floor(s), 0)} and
         * {@code min(ceil(s), in - 1)} weighted {@code 1 - f, f} with {@code f = s - floor(s)}, rows then columns.
         */
        BILINEAR;

        /** By Keras' name ({@code "nearest"}, {@code "bilinear"}). */
        public static Method of(String kerasName) {
            return switch (kerasName.toLowerCase(Locale.ROOT)) {
                case "nearest" -> NEAREST;
                case "bilinear" -> BILINEAR;
                default -> throw new IllegalArgumentException("interpolation '" + kerasName
                        + "' is not supported: expected bilinear or nearest");
            };
        }

        /** Keras' name. */
        public String kerasName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An image read pixel by pixel: value of row y, column x, channel ch. */
    @FunctionalInterface
    public interface Source {
        float at(int y, int x, int ch);
    }

    private TfResize() {
    }

    /**
     * {@code tf.image.resize(in[y0:y0+h, x0:x0+w], (outH, outW))} with {@code c} channels, written HWC into
     * {@code out} from {@code offset}.
     */
    public static void resize(Source in, int y0, int x0, int h, int w, int c, int outH, int outW, Method method,
                              float[] out, int offset) {
        Lerp[] rows = Lerp.of(h, outH, method);
        Lerp[] cols = Lerp.of(w, outW, method);
        for (int y = 0; y < outH; y++) {
            Lerp r = rows[y];
            for (int x = 0; x < outW; x++) {
                Lerp q = cols[x];
                for (int ch = 0; ch < c; ch++) {
                    float tl = in.at(y0 + r.lower, x0 + q.lower, ch);
                    float tr = in.at(y0 + r.lower, x0 + q.upper, ch);
                    float bl = in.at(y0 + r.upper, x0 + q.lower, ch);
                    float br = in.at(y0 + r.upper, x0 + q.upper, ch);
                    float top = tl + (tr - tl) * q.fraction;
                    float bottom = bl + (br - bl) * q.fraction;
                    out[offset + (y * outW + x) * c + ch] = top + (bottom - top) * r.fraction;
                }
            }
        }
    }

    /**
     * The adjoint of {@link #resize} (its gradient): adds each output gradient, with the weight its output took
     * from an input pixel, into that pixel of {@code dIn} (HWC, {@code inW} columns, from {@code dInOffset}).
     */
    public static void resizeBackward(float[] dOut, int dOutOffset, int y0, int x0, int h, int w, int c, int outH,
                                      int outW, Method method, float[] dIn, int dInOffset, int inW) {
        Lerp[] rows = Lerp.of(h, outH, method);
        Lerp[] cols = Lerp.of(w, outW, method);
        for (int y = 0; y < outH; y++) {
            Lerp r = rows[y];
            for (int x = 0; x < outW; x++) {
                Lerp q = cols[x];
                for (int ch = 0; ch < c; ch++) {
                    float g = dOut[dOutOffset + (y * outW + x) * c + ch];
                    float top = g * (1 - r.fraction);
                    float bottom = g * r.fraction;
                    add(dIn, dInOffset, inW, c, y0 + r.lower, x0 + q.lower, ch, top * (1 - q.fraction));
                    add(dIn, dInOffset, inW, c, y0 + r.lower, x0 + q.upper, ch, top * q.fraction);
                    add(dIn, dInOffset, inW, c, y0 + r.upper, x0 + q.lower, ch, bottom * (1 - q.fraction));
                    add(dIn, dInOffset, inW, c, y0 + r.upper, x0 + q.upper, ch, bottom * q.fraction);
                }
            }
        }
    }

    private static void add(float[] d, int offset, int w, int c, int y, int x, int ch, float v) {
        d[offset + (y * w + x) * c + ch] += v;
    }

    // TF's compute_interpolation_weights with the half-pixel scaler, in float as TF computes it; NEAREST is the
    // source pixel with weight 1 (lower = upper, fraction 0), so one sampler and one adjoint serve both.
    private record Lerp(int lower, int upper, float fraction) {
        static Lerp[] of(int in, int out, Method method) {
            float scale = (float) in / out;
            Lerp[] l = new Lerp[out];
            for (int i = 0; i < out; i++) {
                if (method == Method.NEAREST) {
                    int s = Math.min((int) Math.floor((i + 0.5f) * scale), in - 1);
                    l[i] = new Lerp(s, s, 0f);
                    continue;
                }
                float s = (i + 0.5f) * scale - 0.5f;
                float f = (float) Math.floor(s);
                l[i] = new Lerp(Math.max((int) f, 0), Math.min((int) Math.ceil(s), in - 1), s - f);
            }
            return l;
        }
    }

    /**
     * Keras' centred crop window of the target's aspect ratio (smart_resize, and Keras 3's
     * {@code crop_to_aspect_ratio}): {@code {y0, x0, cropH, cropW}} with cropH = max(min(h, int(w * outH / outW)), 1),
     * cropW = max(min(w, int(h * outW / outH)), 1), y0 = int((h - cropH) / 2), x0 = int((w - cropW) / 2).
     */
    public static int[] aspectRatioCrop(int h, int w, int outH, int outW) {
        int cropH = Math.max(Math.min(h, (int) ((double) w * outH / outW)), 1);
        int cropW = Math.max(Math.min(w, (int) ((double) h * outW / outH)), 1);
        return new int[] {(int) ((h - cropH) / 2.0), (int) ((w - cropW) / 2.0), cropH, cropW};
    }

    private static Source source(Images.Pixels in) {
        return (y, x, ch) -> in.at(y, x, ch);
    }

    /** {@code tf.image.resize(pixels[y0:y0+h, x0:x0+w], (outH, outW))} into a float tensor {@code (outH, outW, c)}. */
    static Tensor resize(Images.Pixels in, int y0, int x0, int h, int w, int outH, int outW, Method method) {
        float[] out = new float[outH * outW * in.channels()];
        resize(source(in), y0, x0, h, w, in.channels(), outH, outW, method, out, 0);
        return Tensor.of(out, outH, outW, in.channels());
    }

    /** Plain resize, aspect ratio not kept. */
    static Tensor resize(Images.Pixels in, int outH, int outW, Method method) {
        return resize(in, 0, 0, in.height(), in.width(), outH, outW, method);
    }

    /** Keras' {@code smart_resize}: crop the centred window of the target aspect ratio, then resize it. */
    static Tensor cropToAspectRatio(Images.Pixels in, int outH, int outW, Method method) {
        int[] box = aspectRatioCrop(in.height(), in.width(), outH, outW);
        return resize(in, box[0], box[1], box[2], box[3], outH, outW, method);
    }

    /** {@code tf.image.resize_with_pad}: resize to fit inside, keep the aspect ratio, centre on zeros. */
    static Tensor padToAspectRatio(Images.Pixels in, int outH, int outW, Method method) {
        float ratio = Math.max((float) in.width() / outW, (float) in.height() / outH);
        float fitH = in.height() / ratio;
        float fitW = in.width() / ratio;
        int resizedH = Math.max(1, (int) Math.floor(fitH));
        int resizedW = Math.max(1, (int) Math.floor(fitW));
        int padTop = Math.max(0, (int) Math.floor((outH - fitH) / 2));
        int padLeft = Math.max(0, (int) Math.floor((outW - fitW) / 2));
        Tensor fitted = resize(in, resizedH, resizedW, method);
        int c = in.channels();
        float[] out = new float[outH * outW * c];
        for (int y = 0; y < resizedH && y + padTop < outH; y++) {
            for (int x = 0; x < resizedW && x + padLeft < outW; x++) {
                for (int ch = 0; ch < c; ch++) {
                    out[((y + padTop) * outW + x + padLeft) * c + ch] = fitted.data().get((y * resizedW + x) * c + ch);
                }
            }
        }
        return Tensor.of(out, outH, outW, c);
    }
}
