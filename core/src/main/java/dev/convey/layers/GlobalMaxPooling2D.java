package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code GlobalMaxPooling2D}: the largest value of each channel over the whole image.
 * <pre>
 *   y[n, c] = max_p x[n, p, c]          dL/dx[n, p, c] = dL/dy[n, c] if p was the max (the first on ties), else 0
 * </pre>
 */
public final class GlobalMaxPooling2D extends GlobalPooling2D {

    /** For every output element (n, c), the pixel p that was the max. */
    private int[] argmax = new int[0];

    public GlobalMaxPooling2D() {
        super("global_max_pooling2d");
    }

    @Override
    public GlobalMaxPooling2D keepdims(boolean keepdims) {
        super.keepdims(keepdims);
        return this;
    }

    @Override
    void reduce(Tensor x, int batch, int pixels, int channels, Tensor y) {
        if (argmax.length < batch * channels) {
            argmax = new int[batch * channels];
        }
        FloatBuffer in = x.data();
        FloatBuffer out = y.data();
        Parallel.range(batch, 1, (n0, n1) -> {
            for (int n = n0; n < n1; n++) {
                int o = n * channels;
                for (int p = 0; p < pixels; p++) {
                    int i = (n * pixels + p) * channels;
                    for (int c = 0; c < channels; c++) {
                        float v = in.get(i + c);
                        if (p == 0 || v > out.get(o + c)) {
                            out.put(o + c, v);
                            argmax[o + c] = p;
                        }
                    }
                }
            }
        });
    }

    @Override
    void spread(Tensor dy, int batch, int pixels, int channels, Tensor dx) {
        dx.fill(0f);
        FloatBuffer grad = dy.data();
        FloatBuffer out = dx.data();
        for (int o = 0; o < batch * channels; o++) {
            int n = o / channels;
            int c = o % channels;
            out.put((n * pixels + argmax[o]) * channels + c, grad.get(o));
        }
    }
}
