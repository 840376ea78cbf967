package dev.convey.layers;

import dev.convey.tensor.Tensor;

/**
 * What a layer with a kernel, an optional bias and a fused activation shares (Keras' {@code Dense} and the
 * convolutions: {@code use_bias}, {@code activation}, the {@code kernel} and {@code bias} weights): the settings with
 * their fluent setters and getters, and the activation around the layer's product z (its kernel's output plus the
 * bias):
 * <pre>
 *   forward:   y = act(z), in the kernel's epilogue unless act' needs z (then z is kept and act applied after)
 *   backward:  dZ = act'(dY)
 * </pre>
 * The layer creates the weights ({@code createWeights}) and runs the passes.
 *
 * @param <T> the concrete layer, which the setters return so that builder chains keep its type
 */
public abstract class KernelLayer<T extends KernelLayer<T>> extends Layer {

    boolean useBias = true;
    ActivationFunction activation = ActivationFunction.LINEAR;
    Parameter kernel;
    Parameter bias;
    // The last forward pass: y, and z when the activation's gradient needs it (otherwise z is y).
    Tensor output;
    Tensor preActivation;
    private Tensor preActivationGradient;

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

    /** Reuses y's buffer for this shape (batch included) and returns z's: a buffer kept apart if act' needs z, else y. */
    final Tensor outputBuffers(int... shape) {
        output = Tensor.reuse(output, shape);
        preActivation = activation.needsInput() ? Tensor.reuse(preActivation, shape) : null;
        return preActivation != null ? preActivation : output;
    }

    /** The activation the kernel's epilogue applies: act, or none when z is kept apart (see {@link #activateKept}). */
    final ActivationFunction epilogueActivation() {
        return preActivation != null ? ActivationFunction.LINEAR : activation;
    }

    /** y = act(z) when z was kept apart; nothing otherwise (the epilogue did it). */
    final void activateKept() {
        if (preActivation != null) {
            activation.forward(preActivation, output);
        }
    }

    /** dZ = act'(dY) for the last forward pass (dY itself when the activation is linear). */
    final Tensor preActivationGradient(Tensor outputGradient) {
        if (activation == ActivationFunction.LINEAR) {
            return outputGradient;
        }
        preActivationGradient = Tensor.reuse(preActivationGradient, output.shape());
        activation.backward(preActivation, output, outputGradient, preActivationGradient);
        return preActivationGradient;
    }
}
