package dev.convey.layers;

import java.util.Map;
import java.util.Random;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Dropout(rate)}: during training, each element is zeroed with probability {@code rate} and the
 * survivors are scaled by 1/(1 - rate) ("inverted dropout"), so the expected activation is unchanged and
 * inference is simply the identity. Outside training the layer does nothing.
 *
 * <p>Forward (training): m_j = [u_j >= rate] / (1 - rate) with u_j ~ U[0, 1) from {@link Layer#random()};
 * y_j = x_j * m_j. Backward: dL/dx_j = dL/dy_j * m_j (the identity outside training); both are
 * {@link NoiseLayer}'s, this file draws m.
 */
public final class Dropout extends NoiseLayer {

    private final float rate;
    private Tensor fixedMask;

    /** @param rate the fraction of elements to drop, in [0, 1) */
    public Dropout(double rate) {
        super("dropout", null);
        this.rate = (float) requireRate("Dropout", rate);
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
        return c;
    }

    @Override
    boolean isIdentity() {
        return rate == 0;
    }

    /** m_j = 1/(1 - rate) with probability 1 - rate, else 0. Sequential, so a seed gives the same mask. */
    @Override
    Tensor draw(Tensor x, Tensor mask, Random random) {
        if (fixedMask != null) {
            requireSameShape("fixed dropout mask", fixedMask, x);
            mask.copyFrom(fixedMask);
            return null;
        }
        float keepScale = 1f / (1f - rate);
        for (int j = 0; j < mask.size(); j++) {
            mask.data().put(j, random.nextFloat() >= rate ? keepScale : 0f);
        }
        return null;
    }
}
