package dev.convey.layers;

import dev.convey.data.TfResize;

/**
 * The window arithmetic Keras 3's cropping and resizing layers share ({@code CenterCrop}, {@code RandomCrop},
 * {@code Resizing}) on a batch of HWC images held as float arrays: a window of each image resized with
 * {@link TfResize} (and its adjoint); a window of the output's size is a plain crop. A window may reach outside
 * the image (Resizing's {@code pad_to_aspect_ratio}): those pixels read {@code fill}.
 */
final class ImageWindows {

    private ImageWindows() {
    }

    /** A layer-owned array of exactly n floats: the previous one when it has that size (no allocation per batch). */
    static float[] exactly(float[] previous, int n) {
        return previous != null && previous.length == n ? previous : new float[n];
    }

    /**
     * Each image's window {@code [y0, y0 + wh) x [x0, x0 + ww)} (pixels outside the image read {@code fill})
     * resized to (outH, outW) by {@code tf.image.resize}.
     */
    static void resize(float[] x, int n, int h, int w, int c, int y0, int x0, int wh, int ww, float fill,
                       int outH, int outW, TfResize.Method method, float[] y) {
        for (int b = 0; b < n; b++) {
            int base = b * h * w * c;
            TfResize.Source image = (i, j, ch) -> i < 0 || i >= h || j < 0 || j >= w ? fill : x[base + (i * w + j) * c + ch];
            TfResize.resize(image, y0, x0, wh, ww, c, outH, outW, method, y, b * outH * outW * c);
        }
    }

    /** The adjoint of {@link #resize}: the gradient of the pixels inside the image (the fill has none). */
    static void resizeBackward(float[] dy, int n, int h, int w, int c, int y0, int x0, int wh, int ww,
                               int outH, int outW, TfResize.Method method, float[] dx) {
        // The window may reach outside the image: accumulate on the window grown to hold it, then keep the image.
        int top = Math.max(0, -y0);
        int left = Math.max(0, -x0);
        int gh = Math.max(h, y0 + wh) + top;
        int gw = Math.max(w, x0 + ww) + left;
        float[] grown = new float[gh * gw * c];
        for (int b = 0; b < n; b++) {
            java.util.Arrays.fill(grown, 0f);
            TfResize.resizeBackward(dy, b * outH * outW * c, y0 + top, x0 + left, wh, ww, c, outH, outW, method,
                    grown, 0, gw);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w * c; j++) {
                    dx[(b * h + i) * w * c + j] += grown[((i + top) * gw + left) * c + j];
                }
            }
        }
    }
}
