package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Map;

import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Rescaling(scale, offset=0)}: {@code y = x * scale + offset}, dL/dx = dL/dy * scale (e.g.
 * {@code Rescaling(1/255)}, EfficientNet's first layer). Scalar scale and offset.
 */
public final class Rescaling extends Layer {

    private final double scale;
    private final double offset;
    private Tensor output;
    private Tensor inputGradient;

    public Rescaling(double scale) {
        this(scale, 0);
    }

    public Rescaling(double scale, double offset) {
        super("rescaling");
        if (!Double.isFinite(scale) || !Double.isFinite(offset)) {
            throw new IllegalArgumentException(describe() + ": scale and offset must be finite, got " + scale + ", "
                    + offset);
        }
        this.scale = scale;
        this.offset = offset;
    }

    public double scale() {
        return scale;
    }

    public double offset() {
        return offset;
    }

    /** Keras 3's {@code Rescaling.get_config()}. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("scale", scale);
        c.put("offset", offset);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        output = Tensor.reuse(output, inputs[0].shape());
        affine(inputs[0].data(), output.data(), output.size(), (float) scale, (float) offset);
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, output.shape());
        affine(outputGradient.data(), inputGradient.data(), output.size(), (float) scale, 0f);
        return new Tensor[] {inputGradient};
    }

    /** y[i] = x[i] * s + t. */
    private static void affine(FloatBuffer x, FloatBuffer y, int n, float s, float t) {
        Scratch.elementwise(n, x, null, y, (v, unused, unused2, length) -> {
            for (int i = 0; i < length; i++) {
                v[i] = v[i] * s + t;
            }
        });
    }
}
