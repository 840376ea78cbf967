package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code GlobalAveragePooling2D}: the mean of each channel over the whole image, with P = h * w pixels:
 * <pre>
 *   y[n, c] = (1 / P) * sum_p x[n, p, c]          dL/dx[n, p, c] = dL/dy[n, c] / P
 * </pre>
 * (ResNet50's head, EfficientNet's squeeze-and-excitation blocks.) The sums run in float over a tile of
 * pixels (at most {@link Scratch#FLOATS} floats, a loop HotSpot vectorises), then in double over the tiles.
 */
public final class GlobalAveragePooling2D extends GlobalPooling2D {

    public GlobalAveragePooling2D() {
        super("global_average_pooling2d");
    }

    @Override
    public GlobalAveragePooling2D keepdims(boolean keepdims) {
        super.keepdims(keepdims);
        return this;
    }

    @Override
    void reduce(Tensor x, int batch, int pixels, int channels, Tensor y) {
        FloatBuffer in = x.data();
        FloatBuffer out = y.data();
        Parallel.range(batch, 1, (n0, n1) -> {
            double[] sum = new double[channels];
            float[] partial = new float[channels];
            for (int n = n0; n < n1; n++) {
                Arrays.fill(sum, 0);
                Scratch.forEachTile(n * pixels * channels, pixels, channels, in, null, null, null,
                        (tile, unused, unused2, length) -> {
                            Arrays.fill(partial, 0f);
                            for (int row = 0; row < length; row += channels) {
                                for (int c = 0; c < channels; c++) {
                                    partial[c] += tile[row + c];
                                }
                            }
                            for (int c = 0; c < channels; c++) {
                                sum[c] += partial[c];
                            }
                        });
                for (int c = 0; c < channels; c++) {
                    out.put(n * channels + c, (float) (sum[c] / pixels));
                }
            }
        });
    }

    @Override
    void spread(Tensor dy, int batch, int pixels, int channels, Tensor dx) {
        FloatBuffer grad = dy.data();
        FloatBuffer out = dx.data();
        float scale = 1f / pixels;
        Parallel.range(batch * pixels, Math.max(1, Pooling2D.MIN_FLOATS_PER_CHUNK / channels), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int g = (r / pixels) * channels;
                for (int c = 0; c < channels; c++) {
                    out.put(r * channels + c, grad.get(g + c) * scale);
                }
            }
        });
    }
}
