package dev.convey.training;

/**
 * What the two categorical cross-entropies share: both fuse with a preceding softmax (see {@link Loss}), each
 * gives the plain and the fused gradient from one {@link #sampleLosses}.
 */
abstract class SoftmaxCrossentropy extends Loss {

    SoftmaxCrossentropy(String name) {
        super(name);
    }

    @Override
    public String fusedActivation() {
        return "softmax";
    }
}
