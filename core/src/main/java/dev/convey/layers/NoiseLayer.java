package dev.convey.layers;

import java.util.Random;

import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * The regularisation layers active only while training (Keras' {@code Dropout}, {@code GaussianNoise},
 * {@code GaussianDropout}, {@code SpatialDropout2D}): outside training y = x. In training y = x * m + a with m
 * and a drawn by the subclass from the layer's seeded generator; backward dL/dx = dL/dy * m.
 */
abstract class NoiseLayer extends Layer implements IdentityOutsideTraining {

    private Tensor output;
    private Tensor multiplier;
    private Tensor inputGradient;
    private boolean active;
    private final Random random;

    NoiseLayer(String nameStem, Long seed) {
        super(nameStem);
        this.random = seed == null ? null : new Random(seed);
    }

    /** Fills the multiplier m (shape of x) and returns the additive noise a (null for none). */
    abstract Tensor draw(Tensor x, Tensor multiplier, Random random);

    /** Whether the settings make the layer the identity even in training (rate or stddev 0). */
    abstract boolean isIdentity();

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        active = training && !isIdentity();
        if (!active) {
            return x;
        }
        multiplier = Tensor.reuse(multiplier, x.shape());
        Tensor added = draw(x, multiplier, random != null ? random : random());
        output = Tensor.reuse(output, x.shape());
        multiply(x, multiplier, output);
        if (added != null) {
            Scratch.add(output.data(), output.data(), added.data(), x.size());
        }
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        if (!active) {
            return new Tensor[] {outputGradient};
        }
        requireSameShape("output gradient", outputGradient, output);
        inputGradient = Tensor.reuse(inputGradient, output.shape());
        multiply(outputGradient, multiplier, inputGradient);
        return new Tensor[] {inputGradient};
    }

    /** out_j = a_j * b_j. */
    private static void multiply(Tensor a, Tensor b, Tensor out) {
        Scratch.elementwise(out.size(), a.data(), b.data(), out.data(), (x, m, unused, length) -> {
            for (int j = 0; j < length; j++) {
                x[j] *= m[j];
            }
        });
    }

    static double requireRate(String layer, double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException(layer + " rate must be in [0, 1), got " + rate);
        }
        return rate;
    }
}
