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
 * (ResNet50's head, EfficientNet's squeeze-and-excitation blocks.) The sums run in float, tile by tile of
 * pixels into one tile-sized array (a loop over one index, which HotSpot vectorises), which is added into
 * double sums every {@link #TILES_PER_FLUSH} tiles: at most 16 float additions per partial sum.
 */
public final class GlobalAveragePooling2D extends GlobalPooling2D {

    private static final int TILES_PER_FLUSH = 16;

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
        int tileFloats = Scratch.rowsPerTile(channels) * channels;
        Parallel.range(batch, 1, (n0, n1) -> {
            double[] sum = new double[channels];
            float[] partial = new float[tileFloats];
            int[] tiles = new int[1];
            for (int n = n0; n < n1; n++) {
                Arrays.fill(sum, 0);
                Scratch.forEachTile(n * pixels * channels, pixels, channels, in, null, null, null,
                        (tile, unused, unused2, length) -> {
                            for (int i = 0; i < length; i++) {
                                partial[i] += tile[i];
                            }
                            if (++tiles[0] % TILES_PER_FLUSH == 0) {
                                flush(partial, sum);
                            }
                        });
                flush(partial, sum);
                for (int c = 0; c < channels; c++) {
                    out.put(n * channels + c, (float) (sum[c] / pixels));
                }
            }
        });
    }

    /** sum[c] += partial[r * C + c] over partial's rows, in double; partial = 0 after. */
    private static void flush(float[] partial, double[] sum) {
        for (int i = 0; i < partial.length; i++) {
            sum[i % sum.length] += partial[i];
        }
        Arrays.fill(partial, 0f);
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
