package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Dense(units)}: a fully connected layer on the last axis, with kernel {@code (in, units)}, bias
 * {@code (units,)} and an optional fused activation. Every leading axis is a batch of rows:
 * <pre>
 *   y[r, u] = act( b[u] + sum_i x[r, i] * W[i, u] )        i.e.  Y = act(X W + b), one GEMM
 * </pre>
 * Backward, with dZ = dL/d(pre-activation): dL/dW = X^T dZ, dL/db = sum over rows of dZ, dL/dX = dZ W^T.
 */
public final class Dense extends KernelLayer<Dense> {

    private final int units;

    private Tensor input;
    private Tensor inputGradient;
    private Epilogue.Channels biasChannels = Epilogue.Channels.NONE;

    /** Keras' {@code Dense(units)}. */
    public Dense(int units) {
        super("dense");
        this.units = LayerArgs.positive(this, "units", units);
    }

    public int units() {
        return units;
    }

    /** Keras' {@code get_config()}: units, activation, use_bias. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("units", units());
        c.put("activation", activation().kerasName());
        c.put("use_bias", useBias());
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "");
        if (s.length < 1 || s[s.length - 1] == Shapes.UNKNOWN) {
            throw shapeError("expects inputs whose last axis is known (the features), got shape "
                    + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, s)));
        }
        int[] out = s.clone();
        out[out.length - 1] = units;
        return out;
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int in = inputShapes[0][inputShapes[0].length - 1];
        kernel = addWeight("kernel", new int[] {in, units}, Initializer.GLOROT_UNIFORM, true);
        bias = useBias ? addWeight("bias", new int[] {units}, Initializer.ZEROS, true) : null;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        input = x;
        int in = x.dim(-1);
        int rows = x.size() / in;
        int[] shape = x.shape();
        shape[shape.length - 1] = units;
        Tensor z = outputBuffers(shape);
        // Z (rows x units) = X (rows x in) W (in x units), then Y = act(Z + b)
        Gemm.sgemm(false, false, rows, units, in, 1f, x.data(), 0, in, kernel.value().data(), 0, units,
                0f, z.data(), 0, units);
        Epilogue.addAndActivate(z.data(), 0, rows, units, biasChannels(), epilogueActivation());
        activateKept();
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        Tensor dz = preActivationGradient(outputGradient);
        int in = input.dim(-1);
        int rows = input.size() / in;
        if (weightGradients) {
            // dW (in x units) = X^T dZ
            Gemm.sgemm(true, false, in, units, rows, 1f, input.data(), 0, in, dz.data(), 0, units,
                    0f, kernel.gradient().data(), 0, units);
            if (useBias) {
                Epilogue.biasGradient(dz.data(), rows, units, bias.gradient());
            }
        }
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        // dX (rows x in) = dZ W^T
        inputGradient = Tensor.reuse(inputGradient, input.shape());
        Gemm.sgemm(false, true, rows, in, units, 1f, dz.data(), 0, units, kernel.value().data(), 0, units,
                0f, inputGradient.data(), 0, in);
        return new Tensor[] {inputGradient};
    }

    /** The bias repeated for the epilogue, rebuilt when it has changed. */
    private Epilogue.Channels biasChannels() {
        float[] b = useBias ? bias.valueArray() : null;
        if (!biasChannels.isOf(b, null)) {
            biasChannels = new Epilogue.Channels(b, null, units);
        }
        return biasChannels;
    }
}
