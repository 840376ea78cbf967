package dev.convey.training;

import dev.convey.tensor.Tensor;

/**
 * What the two categorical cross-entropies share: both fuse with a preceding softmax (see {@link Loss}), and
 * one {@link #compute(Tensor, Tensor, Tensor, boolean)} gives the plain and the fused gradient.
 */
abstract class SoftmaxCrossentropy extends Loss {

    SoftmaxCrossentropy(String name) {
        super(name);
    }

    @Override
    public String fusedActivation() {
        return "softmax";
    }

    @Override
    public double compute(Tensor yPred, Tensor yTrue, Tensor gradient) {
        return compute(yPred, yTrue, gradient, false);
    }

    @Override
    public double computeFused(Tensor yPred, Tensor yTrue, Tensor gradient) {
        return compute(yPred, yTrue, gradient, true);
    }

    /** The mean loss; the gradient (if not null) w.r.t. the probabilities, or the softmax-fused one. */
    abstract double compute(Tensor yPred, Tensor yTrue, Tensor gradient, boolean fused);
}
