package dev.convey.models;

import java.util.List;

import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.layers.SymbolicInput;
import dev.convey.tensor.Shapes;

/**
 * A placeholder for a tensor in a functional model (Keras' KerasTensor): it records which layer produced it
 * from which inputs, and its shape without the batch axis. Calling {@code layer.apply(x)} on symbolic tensors
 * builds the graph that {@link Model} runs.
 */
public final class SymbolicTensor implements SymbolicInput<SymbolicTensor> {

    private final Layer layer;
    private final List<SymbolicTensor> inputs;
    private final int[] shape;
    /** The call's fixed mode ({@code training=False} in Keras), or null: the mode of the model's pass. */
    private final Boolean training;

    SymbolicTensor(Layer layer, List<SymbolicTensor> inputs, int[] shape) {
        this(layer, inputs, shape, null);
    }

    private SymbolicTensor(Layer layer, List<SymbolicTensor> inputs, int[] shape, Boolean training) {
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        this.shape = shape.clone();
        this.training = training;
    }

    /** Builds {@code layer} for the inputs' shapes and returns the symbolic output. */
    public static SymbolicTensor applyLayer(Layer layer, SymbolicTensor... inputs) {
        return applyLayer(layer, null, inputs);
    }

    /** {@link #applyLayer(Layer, SymbolicTensor...)} with the call's fixed mode (null: the pass's mode). */
    public static SymbolicTensor applyLayer(Layer layer, Boolean training, SymbolicTensor... inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException(layer.describe() + " was applied to no inputs");
        }
        int[][] shapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            shapes[i] = inputs[i].shape;
        }
        int[] out = layer.build(shapes);
        return new SymbolicTensor(layer, List.of(inputs), out, training);
    }

    /** {@link #applyLayer}: what {@code layer.apply(inputs)} and {@code layer.apply(training, inputs)} call. */
    @Override
    public SymbolicTensor connect(Layer layer, SymbolicTensor[] inputs, Boolean training) {
        return applyLayer(layer, training, inputs);
    }

    /**
     * The mode the call producing this tensor was fixed to (Keras' {@code training=False} argument, saved in the
     * node's {@code kwargs}), or null when it runs in the mode of the model's pass.
     */
    public Boolean training() {
        return training;
    }

    /**
     * The symbolic tensor an {@link InputLayer} stands for: a model input with no producing inputs, the same
     * object each time for the same InputLayer (Keras' {@code input_layer.output}).
     */
    public static SymbolicTensor of(InputLayer inputLayer) {
        return inputLayer.output(l -> new SymbolicTensor(l, List.of(), l.inputShape()));
    }

    /** {@link #of(InputLayer)}. */
    public static SymbolicTensor ofInputLayer(InputLayer inputLayer) {
        return of(inputLayer);
    }

    /** The layer that produces this tensor (an InputLayer for a model input). */
    public Layer layer() {
        return layer;
    }

    /** The symbolic tensors the producing layer was applied to (empty for a model input). */
    public List<SymbolicTensor> inputs() {
        return inputs;
    }

    /** The shape without the batch axis; -1 for an axis known only at run time. */
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return "SymbolicTensor" + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, shape)) + " from " + layer.name();
    }
}
