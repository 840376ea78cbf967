package dev.convey.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code InputLayer}: the entry point of a model. It holds the input shape (without the batch axis,
 * {@code -1} for an axis known only at run time) and passes the batch through unchanged; its only job at run
 * time is the shape check, so a wrong image size fails here with the model's expected shape in the message.
 *
 * <p>{@link dev.convey.models.Input#of} creates one and returns its {@link #output()}.
 */
public final class InputLayer extends Layer {

    private final int[] shape;
    private SymbolicTensor output;

    /** @param shape the shape of one sample, e.g. {@code (224, 224, 3)}; -1 for Keras' None */
    public InputLayer(int... shape) {
        super("input", true);
        for (int d : shape) {
            if (d < 1 && d != Shapes.UNKNOWN) {
                throw new IllegalArgumentException("Input shape " + Shapes.toString(shape)
                        + " has an axis that is neither positive nor -1 (None)");
            }
        }
        this.shape = shape.clone();
        build(this.shape);
    }

    /** The shape of one sample (without the batch axis). */
    public int[] inputShape() {
        return shape.clone();
    }

    /** The symbolic tensor this layer stands for (Keras' {@code input_layer.output}); the same object each time. */
    public SymbolicTensor output() {
        if (output == null) {
            output = SymbolicTensor.ofInputLayer(this);
        }
        return output;
    }

    /** An input layer is not applied to anything: it is where a graph starts. */
    @Override
    public SymbolicTensor apply(SymbolicTensor... inputs) {
        throw new UnsupportedOperationException(describe() + " starts a model and cannot be applied to tensors; use "
                + "its output() (or Input.of(shape)) instead");
    }

    /** Keras' {@code get_config()}: batch_input_shape (the batch axis None), sparse, ragged. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        List<Integer> batchShape = new ArrayList<>();
        batchShape.add(null);
        for (int d : shape) {
            batchShape.add(d == Shapes.UNKNOWN ? null : d);
        }
        c.put("batch_input_shape", batchShape);
        c.put("sparse", false);
        c.put("ragged", false);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    /** The identity: y = x. The shape was checked by {@link Layer#forward} against the declared shape. */
    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        return inputs[0];
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        return new Tensor[] {inputGradientNeeded[0] ? outputGradient : null};
    }
}
