package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

import dev.convey.tensor.Tensor;

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
    void unpoolWindow(Window2D g, Tensor x, Tensor y, Tensor dy, int n, int oh, int ow, Tensor dx) {
        FloatBuffer in = x.data();
        FloatBuffer grad = dy.data();
        FloatBuffer dIn = dx.data();
        int o = outputOffset(g, n, oh, ow);
        for (int c = 0; c < g.channels(); c++) {
            int i = firstMax(g, in, y.data().get(o + c), n, oh, ow, c);
            dIn.put(i, dIn.get(i) + grad.get(o + c));
        }
    }

    /** The flat index of the first pixel of the window whose channel c equals max (NaN matches NaN). */
    private static int firstMax(Window2D g, FloatBuffer in, float max, int n, int oh, int ow, int c) {
        for (int ih = firstRow(g, oh); ih < endRow(g, oh); ih++) {
            for (int iw = firstCol(g, ow); iw < endCol(g, ow); iw++) {
                int i = g.inputOffset(n, ih, iw) + c;
                if (Float.compare(in.get(i), max) == 0 || in.get(i) == max) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("max pooling: no pixel of the window holds its max " + max);
    }
}
