package dev.convey.layers;

import dev.convey.tensor.Tensor;

/** Keras' {@code Identity}: y = x, dL/dx = dL/dy (a placeholder layer, e.g. where a block has no projection). */
public final class Identity extends Layer {

    public Identity() {
        super("identity");
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        return inputs[0];
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        return new Tensor[] {inputGradientNeeded[0] ? outputGradient : null};
    }
}
