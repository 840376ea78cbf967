package dev.convey.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 *
 * <p>Keras' {@code noise_shape} (batch axis included, -1 for Keras' None: the input's size) draws one u per element
 * of the noise shape and repeats it along the axes of size 1: EfficientNet's stochastic depth,
 * {@code Dropout(rate, noise_shape=(None, 1, 1, 1))}, keeps or drops each image's whole residual branch.
 */
public final class Dropout extends NoiseLayer {

    private final float rate;
    private Tensor fixedMask;
    private int[] noiseShape;

    /** @param rate the fraction of elements to drop, in [0, 1) */
    public Dropout(double rate) {
        super("dropout", null);
        this.rate = (float) requireRate("Dropout", rate);
    }

    public float rate() {
        return rate;
    }

    /**
     * Keras' {@code noise_shape}: one size per axis of the input, batch axis first, each 1 (the draw is shared along
     * that axis), -1 (Keras' None) or the input's size. {@code null} (default): one draw per element.
     */
    public Dropout noiseShape(int... shape) {
        LayerArgs.requireUnbuilt(this, "noise_shape");
        if (shape != null) {
            for (int d : shape) {
                if (d < 1 && d != -1) {
                    throw new IllegalArgumentException(describe() + ": noise_shape sizes must be positive or -1 (None), got "
                            + Arrays.toString(shape));
                }
            }
        }
        this.noiseShape = shape == null ? null : shape.clone();
        return this;
    }

    /** The noise shape (batch axis first, -1 for None), or null. */
    public int[] noiseShape() {
        return noiseShape == null ? null : noiseShape.clone();
    }

    /**
     * For gradient checks: use this mask (values 0 or 1/(1-rate), the shape of the batch) on every training
     * forward pass instead of drawing a new one, so that the layer is a fixed function of its input.
     * {@code null} goes back to random masks.
     */
    void fixMask(Tensor mask) {
        this.fixedMask = mask;
    }

    /** Keras 3's {@code get_config()}: rate, seed (Convey's Dropout draws from the shared generator), noise_shape. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("rate", rate());
        c.put("seed", null);
        List<Integer> noise = null;
        if (noiseShape != null) {
            noise = new ArrayList<>();
            for (int d : noiseShape) {
                noise.add(d == -1 ? null : d);
            }
        }
        c.put("noise_shape", noise);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = super.computeOutputShape(inputShapes);
        if (noiseShape != null) {
            boolean fits = noiseShape.length == s.length + 1;
            for (int a = 1; fits && a < noiseShape.length; a++) {
                fits = noiseShape[a] == 1 || noiseShape[a] == -1 || s[a - 1] == -1 || noiseShape[a] == s[a - 1];
            }
            if (!fits) {
                throw shapeError("noise_shape " + Arrays.toString(noiseShape) + " does not fit the input "
                        + shapesToString(inputShapes, true) + ": expected one size per axis (batch first), each 1, "
                        + "None or the input's size");
            }
        }
        return s;
    }

    @Override
    boolean isIdentity() {
        return rate == 0;
    }

    /**
     * m_j = 1/(1 - rate) with probability 1 - rate, else 0. Sequential, so a seed gives the same mask. With a noise
     * shape, one draw per element of the noise shape: m[i0, i1, ...] = draw[i0 * [n0 != 1], i1 * [n1 != 1], ...].
     */
    @Override
    Tensor draw(Tensor x, Tensor mask, Random random) {
        if (fixedMask != null) {
            requireSameShape("fixed dropout mask", fixedMask, x);
            mask.copyFrom(fixedMask);
            return null;
        }
        float keepScale = 1f / (1f - rate);
        if (noiseShape == null) {
            for (int j = 0; j < mask.size(); j++) {
                mask.data().put(j, random.nextFloat() >= rate ? keepScale : 0f);
            }
            return null;
        }
        if (noiseShape[0] != 1 && noiseShape[0] != -1 && noiseShape[0] != x.dim(0)) {
            throw new IllegalArgumentException(describe() + ": noise_shape " + Arrays.toString(noiseShape)
                    + " does not fit a batch of " + x.dim(0));
        }
        int[] shape = mask.shape();
        int[] strides = new int[shape.length];    // the draw's stride along each axis of the mask (0: shared)
        int draws = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            boolean shared = noiseShape[a] == 1 && shape[a] != 1;
            strides[a] = shared ? 0 : draws;
            draws *= shared ? 1 : shape[a];
        }
        float[] draw = new float[draws];
        for (int k = 0; k < draws; k++) {
            draw[k] = random.nextFloat() >= rate ? keepScale : 0f;
        }
        int[] index = new int[shape.length];
        for (int j = 0; j < mask.size(); j++) {
            int k = 0;
            for (int a = 0; a < shape.length; a++) {
                k += index[a] * strides[a];
            }
            mask.data().put(j, draw[k]);
            for (int a = shape.length - 1; a >= 0 && ++index[a] == shape[a]; a--) {
                index[a] = 0;
            }
        }
        return null;
    }
}
