package dev.convey.layers;

/**
 * A layer that can apply the element-wise activation after it within its own passes in training (a batch norm:
 * relu): models' TrainingFusion asks {@link #canTakeActivation}, then {@link #takeActivation} before a forward call.
 * That forward call returns y = f(layer(x)), and the next backward call receives dL/dy of that y and returns dL/dx
 * through both f and the layer.
 */
public interface TakesActivation {

    /** Whether this layer can take f (see the interface). */
    boolean canTakeActivation(ActivationFunction f);

    /** The next forward call (only that one) applies f to its output; f must be one {@link #canTakeActivation}. */
    void takeActivation(ActivationFunction f);
}
