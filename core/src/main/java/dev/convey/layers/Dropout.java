package dev.convey.layers;

import java.util.Map;
import java.util.Random;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Dropout(rate)}: during training, each element is zeroed with probability {@code rate} and the
 * survivors are scaled by 1/(1 - rate) ("inverted dropout"), so the expected activation is unchanged and
 * inference is simply the identity. Outside training the layer does nothing.
 *
 * <p>Forward (training): m_j = [u_j >= rate] / (1 - rate) with u_j ~ U[0, 1) from {@link Layer#random()};
 * y_j = x_j * m_j. Backward: dL/dx_j = dL/dy_j * m_j (the identity outside training).
 */
public final class Dropout extends Layer {

    private final float rate;
    private Tensor output;
    private Tensor mask;
    private Tensor inputGradient;
    private Tensor fixedMask;
    private boolean masked;

    /** @param rate the fraction of elements to drop, in [0, 1) */
    public Dropout(double rate) {
        super("dropout");
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = (float) rate;
    }

    public float rate() {
        return rate;
    }

    /**
     * For gradient checks: use this mask (values 0 or 1/(1-rate), the shape of the batch) on every training
     * forward pass instead of drawing a new one, so that the layer is a fixed function of its input.
     * {@code null} goes back to random masks.
     */
    void fixMask(Tensor mask) {
        this.fixedMask = mask;
    }

    /** Keras' {@code get_config()}: rate. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("rate", rate());
        c.put("noise_shape", null); // the mask is drawn per element
        c.put("seed", null);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        masked = training && rate > 0;
        if (!masked) {
            return x;
        }
        if (fixedMask != null) {
            requireSameShape("fixed dropout mask", fixedMask, x);
            mask = fixedMask;
        } else {
            mask = Tensor.reuse(mask, x.shape());
            drawMask(mask, rate, random());
        }
        output = Tensor.reuse(output, x.shape());
        multiply(x, mask, output);
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        if (!masked) {
            return new Tensor[] {outputGradient};
        }
        requireSameShape("output gradient", outputGradient, output);
        inputGradient = Tensor.reuse(inputGradient, outputGradient.shape());
        multiply(outputGradient, mask, inputGradient);
        return new Tensor[] {inputGradient};
    }

    /** m_j = 1/(1 - rate) with probability 1 - rate, else 0. Sequential, so a seed gives the same mask. */
    private static void drawMask(Tensor mask, float rate, Random random) {
        float keepScale = 1f / (1f - rate);
        for (int j = 0; j < mask.size(); j++) {
            mask.data().put(j, random.nextFloat() >= rate ? keepScale : 0f);
        }
    }

    /** out_j = a_j * b_j. */
    static void multiply(Tensor a, Tensor b, Tensor out) {
        Parallel.range(out.size(), 1 << 15, (start, end) -> {
            for (int j = start; j < end; j++) {
                out.data().put(j, a.data().get(j) * b.data().get(j));
            }
        });
    }
}
