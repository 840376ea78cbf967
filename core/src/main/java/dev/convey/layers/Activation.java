package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Activation(name)}: applies an {@link ActivationFunction} element-wise (softmax: per row of the
 * last axis). Forward writes f(x) into the layer's own buffer in one pass; backward computes
 * dL/dx from that output y and dL/dy, and from x when the function needs it (see ActivationFunction).
 */
public final class Activation extends Layer implements ElementwiseActivation {

    private final ActivationFunction activation;
    private Tensor input;   // kept only when the function's gradient needs it
    private Tensor output;
    private Tensor inputGradient;

    /** Keras' {@code Activation("relu")}. */
    public Activation(String activation) {
        this(ActivationFunction.forName(activation));
    }

    public Activation(ActivationFunction activation) {
        super("activation");
        this.activation = activation;
    }

    public ActivationFunction activation() {
        return activation;
    }

    /** Keras' {@code get_config()}: activation. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("activation", activation.kerasName());
        return c;
    }

    @Override
    public ActivationFunction outputActivation() {
        return activation;
    }

    /** The function itself, unless softmax (row-wise, not element-wise). */
    @Override
    public ActivationFunction elementwiseActivation() {
        return activation == ActivationFunction.SOFTMAX ? null : activation;
    }

    @Override
    public Epilogue.Step epilogueStep() {
        return Epilogue.Step.ACTIVATION;
    }

    @Override
    public Epilogue appendToEpilogue(Epilogue e, Tensor residual) {
        return e.thenActivation(activation);
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        input = activation.needsInput() ? x : null;
        output = Tensor.reuse(output, x.shape());
        activation.forward(x, output);
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, output.shape());
        activation.backward(input, output, outputGradient, inputGradient);
        return new Tensor[] {inputGradient};
    }
}
