package dev.convey.layers;

import java.util.Map;
import java.util.Random;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code SpatialDropout2D(rate, seed)} on NHWC images: in training whole feature maps are dropped, one
 * draw per (image, channel): m[n, :, :, c] = [u &gt;= rate] / (1 - rate); y = x * m, dL/dx = dL/dy * m.
 */
public final class SpatialDropout2D extends RateNoiseLayer {

    public SpatialDropout2D(double rate) {
        this(rate, null);
    }

    public SpatialDropout2D(double rate, Long seed) {
        super("spatial_dropout2d", "SpatialDropout2D", rate, seed);
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)").clone();
    }

    @Override
    Tensor draw(Tensor x, Tensor multiplier, Random random) {
        int n = x.dim(0), pixels = x.dim(1) * x.dim(2), c = x.dim(3);
        float keep = (float) (1 / (1 - rate));
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                float m = random.nextDouble() >= rate ? keep : 0f;
                for (int p = 0; p < pixels; p++) {
                    multiplier.data().put((b * pixels + p) * c + k, m);
                }
            }
        }
        return null;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        return c;
    }
}
