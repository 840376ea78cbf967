package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Flatten}: (batch, d1, d2, ...) to (batch, d1*d2*...). Keras (channels_last) flattens in C order,
 * which is how an NHWC tensor already lies in memory, so both directions are views, not copies:
 * <pre>
 *   y[n, (h * W + w) * C + c] = x[n, h, w, c]        dL/dx = dL/dy viewed as the input's shape
 * </pre>
 */
public final class Flatten extends Layer {

    private int[] inputShape;
    private int[] outputShape;

    public Flatten() {
        super("flatten");
    }

    /** Keras' {@code get_config()}: data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "");
        return new int[] {Shapes.size(s)};
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        Tensor y = x.reshape(x.dim(0), Shapes.size(Shapes.withoutBatch(inputShape)));
        outputShape = y.shape();
        return y;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (!outputGradient.hasShape(outputShape)) {
            throw shapeError("output gradient has shape " + Shapes.toString(outputGradient.shape()) + " but "
                    + Shapes.toString(outputShape) + " was expected");
        }
        return new Tensor[] {inputGradientNeeded[0] ? outputGradient.reshape(inputShape) : null};
    }
}
