package dev.convey.layers;

/**
 * What a layer with a kernel, an optional bias and a fused activation shares (Keras' {@code Dense} and the
 * convolutions: {@code use_bias}, {@code activation}, the {@code kernel} and {@code bias} weights): the settings with
 * their fluent setters and getters. The layer creates the weights ({@code createWeights}) and runs the passes.
 *
 * @param <T> the concrete layer, which the setters return so that builder chains keep its type
 */
public abstract class KernelLayer<T extends KernelLayer<T>> extends Layer {

    boolean useBias = true;
    ActivationFunction activation = ActivationFunction.LINEAR;
    Parameter kernel;
    Parameter bias;

    /** @param nameStem Keras' name stem ({@code dense}, {@code conv2d}, ...) */
    KernelLayer(String nameStem) {
        super(nameStem);
    }

    @SuppressWarnings("unchecked")
    final T self() {
        return (T) this;
    }

    /** Keras' {@code use_bias} (default true). */
    public T useBias(boolean useBias) {
        LayerArgs.requireUnbuilt(this, "use_bias");
        this.useBias = useBias;
        return self();
    }

    /** Keras' {@code activation} by name ("relu", "softmax", ...; null is linear). May be changed at any time. */
    public T activation(String activation) {
        this.activation = ActivationFunction.forName(activation);
        return self();
    }

    public boolean useBias() {
        return useBias;
    }

    public ActivationFunction activation() {
        return activation;
    }

    /** Keras' {@code layer.activation}: the fused activation. */
    @Override
    public ActivationFunction outputActivation() {
        return activation;
    }

    /** The kernel (Dense's (in, units), Conv2D's (kh, kw, in, out), DepthwiseConv2D's (kh, kw, in, M)), or null. */
    public Parameter kernel() {
        return kernel;
    }

    /** The bias (output channels,), or null before build or without bias. */
    public Parameter bias() {
        return bias;
    }
}
