package dev.convey.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;

/**
 * Keras' {@code Sequential}: a stack of layers, each applied to the output of the previous one. It is a
 * {@link Model} whose graph grows with every {@link #add}.
 *
 * <pre>
 *   Sequential m = new Sequential("head");
 *   m.add(new InputLayer(7, 7, 512));
 *   m.add(new Flatten());
 *   m.add(new Dense(10).activation("softmax"));
 * </pre>
 *
 * <p>Layers are built as they are added once the input shape is known: from a leading {@link InputLayer}, or
 * from a first layer that is itself a model with one input (a pretrained base). Otherwise the model is built on
 * its first forward pass, or by {@code build(shape)}, as Keras' deferred build does.
 *
 * <p>As in Keras, {@link #layers()} lists the added layers without the InputLayer.
 */
public class Sequential extends Model {

    private final List<Layer> added = new ArrayList<>();
    private SymbolicTensor input;
    private SymbolicTensor last;

    public Sequential() {
        this((String) null);
    }

    /** @param name the model's name, or null for Keras' automatic {@code sequential}, {@code sequential_1}, ... */
    public Sequential(String name) {
        super(name, "sequential");
    }

    /** Keras' {@code Sequential([layer, ...])}. */
    public Sequential(Layer... layers) {
        this(null, layers);
    }

    public Sequential(String name, Layer... layers) {
        this(name);
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a layer: an InputLayer may only come first. Returns this model. */
    public Sequential add(Layer layer) {
        if (layer.isInput()) {
            if (input != null || !added.isEmpty()) {
                throw new IllegalArgumentException(describe() + ": " + layer.describe()
                        + " can only be the first layer of a Sequential model");
            }
            start(SymbolicTensor.of((InputLayer) layer));
            build(input.shape());
            return this;
        }
        if (input == null && added.isEmpty() && !layer.sublayers().isEmpty() && layer.inputShapes().length == 1) {
            start(SymbolicTensor.of(new InputLayer(layer.inputShapes()[0])));
            build(input.shape());
        }
        if (added.contains(layer)) {
            throw new IllegalArgumentException(describe() + ": " + layer.describe() + " was already added");
        }
        added.add(layer);
        if (input != null) {
            last = layer.apply(last);
            setGraph(List.of(input), last);
        }
        return this;
    }

    /** The input shape is known: connect the layers added so far. */
    private void start(SymbolicTensor in) {
        input = in;
        last = in;
        for (Layer l : added) {
            last = l.apply(last);
        }
        setGraph(List.of(input), last);
    }

    /** The added layers in order, without the InputLayer (Keras' {@code Sequential.layers}). */
    @Override
    public List<Layer> layers() {
        return Collections.unmodifiableList(added);
    }

    /** Keras' deferred build: the first input shape seen (from build(shape) or forward) fixes the graph. */
    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        if (input == null) {
            if (added.isEmpty()) {
                throw shapeError("has no layers yet");
            }
            if (inputShapes.length != 1) {
                throw shapeError("expects exactly one input, got " + inputShapes.length);
            }
            start(SymbolicTensor.of(new InputLayer(inputShapes[0])));
        }
        return super.computeOutputShape(inputShapes);
    }
}
