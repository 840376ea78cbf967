package dev.convey.layers;

import java.util.Arrays;

import dev.convey.tensor.Scratch;


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

    /**
     * A whole output row, tap by tap: for tap (h, j) of the window, {@code tap} gathers that input pixel of every
     * output column (0 where it falls in the folded zero border, -infinity in the padding), and the row's maxima
     * take it in one long loop. Same result as window by window, but the loops run over the whole row (outW * C
     * floats), which HotSpot vectorises, instead of C floats at a time (measured: 1.4 ns a float for C = 64, 0.1
     * for whole rows). A window always holds at least one pixel, so the padding's -infinity never wins; rows of
     * the zero border are one tap of 0 for every column (the max does not depend on the order of its taps).
     */
    @Override
    void poolRow(Window2D g, ZeroBorder zeros, float[] rows, int rowCount, int pixelRows, float[] out) {
        int c = g.channels();
        int n = g.outW() * c;
        float[] tap = Scratch.floats(2, n);
        Arrays.fill(out, 0, n, Float.NEGATIVE_INFINITY);
        for (int h = 0; h < rowCount; h++) {
            for (int j = 0; j < g.kernelW(); j++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int iw = g.inputCol(ow, j);
                    if (iw < 0 || iw >= g.width()) {
                        Arrays.fill(tap, ow * c, (ow + 1) * c,
                                zeros.isZeroColumn(g, iw) ? 0f : Float.NEGATIVE_INFINITY);
                    } else {
                        System.arraycopy(rows, (h * g.width() + iw) * c, tap, ow * c, c);
                    }
                }
                maximumInto(out, tap, n);
            }
        }
        if (pixelRows > rowCount) {
            Arrays.fill(tap, 0, n, 0f);
            maximumInto(out, tap, n);
        }
    }

    /** out[i] = max(out[i], x[i]) (NaN wins, as in Math.max). */
    private static void maximumInto(float[] out, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Math.max(out[i], x[i]);
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
