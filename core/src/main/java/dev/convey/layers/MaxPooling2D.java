package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code MaxPooling2D}: the largest value of each channel in each window.
 * <pre>
 *   y[n, oh, ow, c] = max over the window's real pixels (ih, iw) of x[n, ih, iw, c]
 *   dL/dx[n, ih, iw, c] += dL/dy[n, oh, ow, c]   for the one pixel that was the max (the first one on ties)
 * </pre>
 * The forward pass remembers, for every output element, the input element it came from.
 */
public final class MaxPooling2D extends Pooling2D {

    /** For every output element, the flat index of the input element that was its max. */
    private int[] argmax = new int[0];

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

    @Override
    void beforeForward(Window2D g) {
        int needed = g.outputPixels() * g.channels();
        if (argmax.length < needed) {
            argmax = new int[needed];
        }
    }

    @Override
    void poolWindow(Window2D g, Tensor x, int n, int oh, int ow, Tensor y) {
        FloatBuffer in = x.data();
        FloatBuffer out = y.data();
        int channels = g.channels();
        int o = outputOffset(g, n, oh, ow);
        boolean first = true;
        for (int ih = firstRow(g, oh); ih < endRow(g, oh); ih++) {
            for (int iw = firstCol(g, ow); iw < endCol(g, ow); iw++, first = false) {
                int i = g.inputOffset(n, ih, iw);
                for (int c = 0; c < channels; c++) {
                    float v = in.get(i + c);
                    if (first || v > out.get(o + c)) {
                        out.put(o + c, v);
                        argmax[o + c] = i + c;
                    }
                }
            }
        }
    }

    @Override
    void unpoolWindow(Window2D g, Tensor dy, int n, int oh, int ow, Tensor dx) {
        FloatBuffer grad = dy.data();
        FloatBuffer dIn = dx.data();
        int o = outputOffset(g, n, oh, ow);
        for (int c = 0; c < g.channels(); c++) {
            int i = argmax[o + c];
            dIn.put(i, dIn.get(i) + grad.get(o + c));
        }
    }
}
