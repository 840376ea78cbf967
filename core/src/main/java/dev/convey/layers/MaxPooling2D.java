package dev.convey.layers;

import java.util.Arrays;


/**
 * Keras' {@code MaxPooling2D}: the largest value of each channel in each window.
 * <pre>
 *   y[n, oh, ow, c] = max over the window's real pixels (ih, iw) of x[n, ih, iw, c]
 *   dL/dx[n, ih, iw, c] += dL/dy[n, oh, ow, c]   for the one pixel that was the max (the first one on ties)
 * </pre>
 * Math.max decides: a NaN in the window makes the max NaN.
 */
public final class MaxPooling2D extends Pooling2D {

    /** Keras' default: 2x2 windows, strides 2. */
    public MaxPooling2D() {
        this(2);
    }

    /** Keras' {@code MaxPooling2D(pool_size)} with a square window; strides default to the pool size. */
    public MaxPooling2D(int poolSize) {
        this(new int[] {poolSize});
    }

    /** Keras' {@code MaxPooling2D((ph, pw))}. */
    public MaxPooling2D(int[] poolSize) {
        super("max_pooling2d", poolSize);
    }

    @Override
    public MaxPooling2D strides(int... strides) {
        super.strides(strides);
        return this;
    }

    @Override
    public MaxPooling2D padding(String padding) {
        super.padding(padding);
        return this;
    }

    /** Starts at -infinity: a window always holds at least one real pixel, so padding never wins. */
    @Override
    void poolWindow(Window2D g, float[] rows, int rowCount, int ow, float[] out, int o) {
        int channels = g.channels();
        Arrays.fill(out, o, o + channels, Float.NEGATIVE_INFINITY);
        for (int h = 0; h < rowCount; h++) {
            for (int iw = firstCol(g, ow); iw < endCol(g, ow); iw++) {
                int i = (h * g.width() + iw) * channels;
                for (int c = 0; c < channels; c++) {
                    out[o + c] = Math.max(out[o + c], rows[i + c]);
                }
            }
        }
    }

    /**
     * The gradient goes to the first pixel of the window (in row-major order) that holds the max, found again
     * from the input: cheaper than recording an argmax for every output in every forward pass, inference
     * included.
     */
    @Override
    void unpoolWindow(Window2D g, float[] xRows, int rowCount, int ow, float[] y, float[] dy, int o,
                      float[] dxRows) {
        for (int c = 0; c < g.channels(); c++) {
            dxRows[firstMax(g, xRows, rowCount, ow, c, y[o + c])] += dy[o + c];
        }
    }

    /** Where channel c of the window first holds {@code max} (NaN matches NaN), as an index into the rows. */
    private static int firstMax(Window2D g, float[] xRows, int rowCount, int ow, int c, float max) {
        for (int h = 0; h < rowCount; h++) {
            for (int iw = firstCol(g, ow); iw < endCol(g, ow); iw++) {
                int i = (h * g.width() + iw) * g.channels() + c;
                if (xRows[i] == max || Float.compare(xRows[i], max) == 0) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("max pooling: no pixel of the window holds its max " + max);
    }
}
