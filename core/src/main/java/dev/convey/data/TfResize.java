package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.util.Locale;

/**
 * TensorFlow's {@code tf.image.resize(image, size, method)} (half-pixel centres, no antialiasing, float
 * results), which Keras' {@code image_dataset_from_directory} applies to the decoded 8-bit image, and the two
 * aspect-ratio keeping variants it offers: {@code crop_to_aspect_ratio} (Keras' {@code smart_resize}: the
 * largest centred window of the target's aspect ratio, then resized) and {@code pad_to_aspect_ratio}
 * ({@code tf.image.resize_with_pad}: resized to fit, centred on zeros).
 */
final class TfResize {

    /** The interpolations implemented here, by Keras' names. */
    enum Method {
        /** Source pixel {@code min(floor((i + 0.5) * in / out), in - 1)}. */
        NEAREST,
        /**
         * Source position {@code s = (i + 0.5) * in / out - 0.5}; neighbours {@code max(floor(s), 0)} and
         * {@code min(ceil(s), in - 1)} weighted {@code 1 - f, f} with {@code f = s - floor(s)}, rows then columns.
         */
        BILINEAR;

        static Method of(String kerasName) {
            return switch (kerasName.toLowerCase(Locale.ROOT)) {
                case "nearest" -> NEAREST;
                case "bilinear" -> BILINEAR;
                default -> throw new IllegalArgumentException("interpolation '" + kerasName
                        + "' is not supported by image_dataset_from_directory here: expected bilinear or nearest");
            };
        }
    }

    private TfResize() {
    }

    /** {@code tf.image.resize(pixels[y0:y0+h, x0:x0+w], (outH, outW))} into a float tensor {@code (outH, outW, c)}. */
    static Tensor resize(Images.Pixels in, int y0, int x0, int h, int w, int outH, int outW, Method method) {
        int c = in.channels();
        float[] out = new float[outH * outW * c];
        if (method == Method.NEAREST) {
            for (int y = 0; y < outH; y++) {
                int sy = y0 + Math.min((int) Math.floor((y + 0.5f) * ((float) h / outH)), h - 1);
                for (int x = 0; x < outW; x++) {
                    int sx = x0 + Math.min((int) Math.floor((x + 0.5f) * ((float) w / outW)), w - 1);
                    for (int ch = 0; ch < c; ch++) {
                        out[(y * outW + x) * c + ch] = in.at(sy, sx, ch);
                    }
                }
            }
        } else {
            Lerp[] rows = Lerp.of(h, outH);
            Lerp[] cols = Lerp.of(w, outW);
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
                        out[(y * outW + x) * c + ch] = top + (bottom - top) * r.fraction;
                    }
                }
            }
        }
        return Tensor.of(out, outH, outW, c);
    }

    // TF's compute_interpolation_weights with the half-pixel scaler, in float as TF computes it.
    private record Lerp(int lower, int upper, float fraction) {
        static Lerp[] of(int in, int out) {
            float scale = (float) in / out;
            Lerp[] l = new Lerp[out];
            for (int i = 0; i < out; i++) {
                float s = (i + 0.5f) * scale - 0.5f;
                float f = (float) Math.floor(s);
                l[i] = new Lerp(Math.max((int) f, 0), Math.min((int) Math.ceil(s), in - 1), s - f);
            }
            return l;
        }
    }

    /** Plain resize, aspect ratio not kept. */
    static Tensor resize(Images.Pixels in, int outH, int outW, Method method) {
        return resize(in, 0, 0, in.height(), in.width(), outH, outW, method);
    }

    /** Keras' {@code smart_resize}: crop the centred window of the target aspect ratio, then resize it. */
    static Tensor cropToAspectRatio(Images.Pixels in, int outH, int outW, Method method) {
        int h = in.height();
        int w = in.width();
        int cropH = Math.max(Math.min(h, (int) ((double) w * outH / outW)), 1);
        int cropW = Math.max(Math.min(w, (int) ((double) h * outW / outH)), 1);
        int y0 = (int) ((h - cropH) / 2.0);
        int x0 = (int) ((w - cropW) / 2.0);
        return resize(in, y0, x0, cropH, cropW, outH, outW, method);
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
