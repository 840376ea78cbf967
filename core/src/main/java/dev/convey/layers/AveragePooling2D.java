package dev.convey.layers;

import java.util.Arrays;

/**
 * Keras' {@code AveragePooling2D}: the mean of each channel over each window's real pixels.
 * <pre>
 *   y[n, oh, ow, c] = (1 / count) * sum over the window's real pixels of x[n, ih, iw, c]
 *   dL/dx[n, ih, iw, c] += dL/dy[n, oh, ow, c] / count   for every real pixel of the window
 * </pre>
 * count is the number of real pixels: the full window with 'valid' padding, fewer at the borders with
 * 'same' (TensorFlow does not count the padding). The pixels of a folded zero border count (and add 0).
 */
public final class AveragePooling2D extends Pooling2D {

    /** Keras' default: 2x2 windows, strides 2. */
    public AveragePooling2D() {
        this(2);
    }

    /** Keras' {@code AveragePooling2D(pool_size)} with a square window; strides default to the pool size. */
    public AveragePooling2D(int poolSize) {
        this(new int[] {poolSize});
    }

    /** Keras' {@code AveragePooling2D((ph, pw))}. */
    public AveragePooling2D(int[] poolSize) {
        super("average_pooling2d", poolSize);
    }

    @Override
    public AveragePooling2D strides(int... strides) {
        super.strides(strides);
        return this;
    }

    @Override
    public AveragePooling2D padding(String padding) {
        super.padding(padding);
        return this;
    }

    /** Window by window. */
    @Override
    void poolRow(Window2D g, ZeroBorder zeros, float[] rows, int rowCount, int pixelRows, float[] out) {
        for (int ow = 0; ow < g.outW(); ow++) {
            poolWindow(g, rows, rowCount, pixelRows * zeros.pixelCols(g, ow), ow, out, ow * g.channels());
        }
    }

    /**
     * out[o, o + C) = the window of output column ow: the sum in window order of its real pixels (the zero
     * border's add nothing), then times 1 / count.
     */
    private static void poolWindow(Window2D g, float[] rows, int rowCount, int count, int ow, float[] out, int o) {
        int channels = g.channels();
        Arrays.fill(out, o, o + channels, 0f);
        for (int h = 0; h < rowCount; h++) {
            for (int iw = firstCol(g, ow); iw < endCol(g, ow); iw++) {
                int i = (h * g.width() + iw) * channels;
                for (int c = 0; c < channels; c++) {
                    out[o + c] += rows[i + c];
                }
            }
        }
        float scale = 1f / count;
        for (int c = 0; c < channels; c++) {
            out[o + c] *= scale;
        }
    }

    @Override
    void unpoolWindow(Window2D g, float[] xRows, int rowCount, int ow, float[] y, float[] dy, int o,
                      float[] dxRows) {
        int channels = g.channels();
        float scale = 1f / (rowCount * ZeroBorder.NONE.pixelCols(g, ow));
        for (int h = 0; h < rowCount; h++) {
            for (int iw = firstCol(g, ow); iw < endCol(g, ow); iw++) {
                int i = (h * g.width() + iw) * channels;
                for (int c = 0; c < channels; c++) {
                    dxRows[i + c] += dy[o + c] * scale;
                }
            }
        }
    }
}
