package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * What Keras' global 2-D poolings share: one value per image and channel, reduced over all of height and
 * width: (batch, h, w, c) to (batch, c), or (batch, 1, 1, c) with Keras' {@code keepdims=True}. Both shapes
 * hold the same floats in the same order.
 */
public abstract class GlobalPooling2D extends Layer {

    private boolean keepdims;
    private Tensor output;
    private Tensor inputGradient;
    private int[] inputShape;

    protected GlobalPooling2D(String defaultNamePrefix) {
        super(defaultNamePrefix);
    }

    /** Keras' {@code keepdims} (default false): keep the two spatial axes, of size 1. */
    public GlobalPooling2D keepdims(boolean keepdims) {
        LayerArgs.requireUnbuilt(this, "keepdims");
        this.keepdims = keepdims;
        return this;
    }

    public boolean keepdims() {
        return keepdims;
    }

    /** Keras' {@code get_config()}: data_format, keepdims. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        c.put("keepdims", keepdims);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)");
        return keepdims ? new int[] {1, 1, s[2]} : new int[] {s[2]};
    }

    @Override
    protected final Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        int n = x.dim(0);
        int c = x.dim(3);
        output = keepdims ? Tensor.reuse(output, n, 1, 1, c) : Tensor.reuse(output, n, c);
        reduce(x, n, x.dim(1) * x.dim(2), c, output);
        return output;
    }

    @Override
    protected final Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, inputShape);
        spread(outputGradient, inputShape[0], inputShape[1] * inputShape[2], inputShape[3], inputGradient);
        return new Tensor[] {inputGradient};
    }

    /** y[n, c] = the reduction of x[n, p, c] over the {@code pixels} pixels p of image n. */
    abstract void reduce(Tensor x, int batch, int pixels, int channels, Tensor y);

    /** Writes every element of dx (all of it: the buffer holds stale values) from dy[n, c]. */
    abstract void spread(Tensor dy, int batch, int pixels, int channels, Tensor dx);
}
