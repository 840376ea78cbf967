package dev.convey.layers;

/**
 * A layer that may be an element-wise activation, y = f(x) with no weights, one input and no other state (an
 * {@code Activation("relu")}, a plain {@code ReLU()}): training may fuse it into the layer before it
 * ({@link TakesActivation}).
 */
public interface ElementwiseActivation {

    /** f, or null when this layer's configuration is no element-wise {@link ActivationFunction}. */
    ActivationFunction elementwiseActivation();
}
