package dev.convey.layers;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Identity}: y = x, dL/dx = dL/dy (a placeholder layer, e.g. where a block has no projection).
 * {@link InputLayer} is one too at run time.
 */
public sealed class Identity extends Layer permits InputLayer {

    public Identity() {
        super("identity");
    }

    /** For {@link InputLayer}: Keras' name stem and its numbering (see {@link Layer#Layer(String, boolean)}). */
    Identity(String nameStem, boolean oneBased) {
        super(nameStem, oneBased);
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    /** y = x (the same tensor). */
    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        return inputs[0];
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        return new Tensor[] {inputGradientNeeded[0] ? outputGradient : null};
    }
}
