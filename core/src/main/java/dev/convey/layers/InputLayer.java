package dev.convey.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import java.util.function.Function;

import dev.convey.tensor.Shapes;

/**
 * Keras' {@code InputLayer}: the entry point of a model. It holds the input shape (without the batch axis,
 * {@code -1} for an axis known only at run time) and passes the batch through unchanged; its only job at run
 * time is the shape check, so a wrong image size fails here with the model's expected shape in the message
 * ({@link Layer#forward}); the pass itself is {@link Identity}'s.
 *
 * <p>{@code dev.convey.models.Input.of} creates one and returns its symbolic output ({@link #output(Function)}).
 */
public final class InputLayer extends Identity {

    private final int[] shape;
    private SymbolicInput<?> output;

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

    /**
     * The symbolic tensor this layer stands for (Keras' {@code input_layer.output}): made by {@code make} on the
     * first call, the same object on every later one. {@code dev.convey.models.SymbolicTensor.of(inputLayer)}
     * calls it.
     */
    @SuppressWarnings("unchecked")
    public synchronized <T extends SymbolicInput<T>> T output(Function<InputLayer, T> make) {
        if (output == null) {
            output = make.apply(this);
        }
        return (T) output;
    }

    @Override
    public boolean isInput() {
        return true;
    }

    /** An input layer is not applied to anything: it is where a graph starts. */
    @Override
    protected void requireApplicable() {
        throw new UnsupportedOperationException(describe() + " starts a model and cannot be applied to tensors; use "
                + "its output (Input.of(shape), SymbolicTensor.of(inputLayer)) instead");
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
}
