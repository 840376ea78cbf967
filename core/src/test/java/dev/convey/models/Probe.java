package dev.convey.models;

import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;

/** A test layer: the identity, counting its backward calls and remembering whether dL/dx was requested. */
final class Probe extends Layer {

    int backwardCalls;
    boolean inputGradientRequested;

    Probe(String name) {
        super("probe");
        name(name);
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return inputShapes[0].clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        return inputs[0];
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        backwardCalls++;
        inputGradientRequested |= inputGradientNeeded[0];
        return new Tensor[] {inputGradientNeeded[0] ? outputGradient : null};
    }
}
