package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Map;

import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code ReLU(max_value=None, negative_slope=0, threshold=0)} layer (MobileNet's {@code ReLU(6.)}), with
 * Keras 3's exact formula ({@code keras.activations.relu}), t the threshold, a the negative slope, m the max value:
 * <pre>
 *   p = t != 0 ? x * [x > t] : max(x, 0);    p = clip(p, 0, m) when m is given
 *   y = p - a * max(t - x, 0)
 *   dL/dx = dL/dy * (dp/dx + a * [x &lt; t]),  dp/dx = [x > t] (t != 0) or [x > 0], and 0 where the clip is active
 * </pre>
 * (so {@code ReLU(6.)} is min(max(x, 0), 6) and {@code ReLU(negative_slope=a)} the leaky ReLU).
 */
public final class ReLU extends Layer implements ElementwiseActivation {

    private final Float maxValue;
    private final float negativeSlope;
    private final float threshold;
    private Tensor input;
    private Tensor output;
    private Tensor inputGradient;

    /** Keras' {@code ReLU()}. */
    public ReLU() {
        this(null, 0f, 0f);
    }

    /** Keras' {@code ReLU(max_value)}: {@code new ReLU(6f)} is ReLU6. */
    public ReLU(float maxValue) {
        this(maxValue, 0f, 0f);
    }

    /** Keras' {@code ReLU(max_value, negative_slope, threshold)}; maxValue null for none. */
    public ReLU(Float maxValue, float negativeSlope, float threshold) {
        super("re_lu");
        if (maxValue != null && !(maxValue >= 0)) {
            throw new IllegalArgumentException(describe() + ": max_value must be >= 0, got " + maxValue);
        }
        if (!(negativeSlope >= 0)) {
            throw new IllegalArgumentException(describe() + ": negative_slope must be >= 0, got " + negativeSlope);
        }
        if (!Float.isFinite(threshold)) {
            throw new IllegalArgumentException(describe() + ": threshold must be finite, got " + threshold);
        }
        this.maxValue = maxValue;
        this.negativeSlope = negativeSlope;
        this.threshold = threshold;
    }

    public Float maxValue() {
        return maxValue;
    }

    public float negativeSlope() {
        return negativeSlope;
    }

    public float threshold() {
        return threshold;
    }

    /** Keras 3's {@code ReLU.get_config()}. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("max_value", maxValue == null ? null : (double) maxValue);
        c.put("negative_slope", (double) negativeSlope);
        c.put("threshold", (double) threshold);
        return c;
    }

    /**
     * ReLU() and ReLU(6.) are the activations relu and relu6 (the same floats), so they fold into the epilogue
     * of the convolution before them (MobileNetV2's {@code conv -> bn -> ReLU(6.)}); other configurations do not.
     */
    /** relu or relu6 when this layer computes exactly that (see {@link #epilogueStep}), else null. */
    @Override
    public ActivationFunction elementwiseActivation() {
        return asActivation();
    }

    @Override
    public Epilogue.Step epilogueStep() {
        return asActivation() == null ? null : Epilogue.Step.ACTIVATION;
    }

    @Override
    public Epilogue appendToEpilogue(Epilogue e, Tensor residual) {
        if (asActivation() == null) {
            return super.appendToEpilogue(e, residual);
        }
        return e.thenActivation(asActivation());
    }

    /** RELU or RELU6 when this layer computes exactly that, else null. */
    private ActivationFunction asActivation() {
        if (negativeSlope != 0f || threshold != 0f) {
            return null;
        }
        return maxValue == null ? ActivationFunction.RELU : maxValue == 6f ? ActivationFunction.RELU6 : null;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        input = inputs[0];
        output = Tensor.reuse(output, input.shape());
        FloatBuffer x = input.data();
        FloatBuffer y = output.data();
        float top = maxValue == null ? Float.POSITIVE_INFINITY : maxValue;
        Scratch.elementwise(input.size(), x, null, y, (v, unused, unused2, length) -> {
            for (int i = 0; i < length; i++) {
                float xi = v[i];
                float p = threshold != 0f ? (xi > threshold ? xi : 0f) : Math.max(xi, 0f);
                p = Math.min(Math.max(p, maxValue == null ? p : 0f), top);
                v[i] = p - negativeSlope * Math.max(threshold - xi, 0f);
            }
        });
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, input.shape());
        FloatBuffer x = input.data();
        FloatBuffer dy = outputGradient.data();
        FloatBuffer dx = inputGradient.data();
        float top = maxValue == null ? Float.POSITIVE_INFINITY : maxValue;
        // dx = dy * slope(x), computed in dy's tile g (the first operand, the one written back)
        Scratch.elementwise(input.size(), dy, x, dx, (g, v, unused, length) -> {
            for (int i = 0; i < length; i++) {
                float xi = v[i];
                float p = threshold != 0f ? (xi > threshold ? xi : 0f) : Math.max(xi, 0f);
                boolean passes = (threshold != 0f ? xi > threshold : xi > 0f)
                        && p < top && (maxValue == null || p > 0f);
                g[i] = g[i] * ((passes ? 1f : 0f) + (xi < threshold ? negativeSlope : 0f));
            }
        });
        return new Tensor[] {inputGradient};
    }
}
