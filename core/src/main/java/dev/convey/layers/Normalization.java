package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Normalization(axis=-1)} with its statistics as stored (the weights {@code mean}, {@code variance}
 * and {@code count}, non-trainable, as {@code adapt()} leaves them; EfficientNet's second layer), Keras 3's formula
 * with its epsilon 1e-7:
 * <pre>
 *   y[..., c] = (x[..., c] - mean[c]) / max(sqrt(variance[c]), 1e-7)      dL/dx = dL/dy / max(sqrt(variance), 1e-7)
 * </pre>
 */
public final class Normalization extends Layer {

    /** Keras' {@code backend.epsilon()}. */
    static final double EPSILON = 1e-7;

    private Parameter mean;
    private Parameter variance;
    private Tensor output;
    private Tensor inputGradient;

    public Normalization() {
        super("normalization");
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", java.util.List.of(-1));
        c.put("invert", false);
        c.put("mean", null);
        c.put("variance", null);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "");
        if (s.length == 0 || s[s.length - 1] < 1) {
            throw shapeError("the last axis must be known, got " + shapesToString(inputShapes, true));
        }
        return s.clone();
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int c = inputShapes[0][inputShapes[0].length - 1];
        mean = addWeight("mean", new int[] {c}, Initializer.ZEROS, false);
        variance = addWeight("variance", new int[] {c}, Initializer.ONES, false);
        addWeight("count", new int[] {}, Initializer.ZEROS, false);
    }

    public Parameter mean() {
        return mean;
    }

    public Parameter variance() {
        return variance;
    }

    /** 1 / max(sqrt(variance[c]), 1e-7). */
    private float[] inverseStd() {
        float[] v = variance.value().toArray();
        float[] inv = new float[v.length];
        for (int c = 0; c < v.length; c++) {
            inv[c] = (float) (1.0 / Math.max(Math.sqrt(v[c]), EPSILON));
        }
        return inv;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        output = Tensor.reuse(output, x.shape());
        float[] m = mean.value().toArray();
        float[] inv = inverseStd();
        int c = m.length;
        FloatBuffer in = x.data();
        FloatBuffer out = output.data();
        for (int i = 0; i < x.size(); i++) {
            out.put(i, (in.get(i) - m[i % c]) * inv[i % c]);
        }
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, output.shape());
        float[] inv = inverseStd();
        int c = inv.length;
        for (int i = 0; i < output.size(); i++) {
            inputGradient.data().put(i, outputGradient.data().get(i) * inv[i % c]);
        }
        return new Tensor[] {inputGradient};
    }
}
