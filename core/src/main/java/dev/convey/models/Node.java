package dev.convey.models;

import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;

/**
 * One call of a layer inside a model's graph (Keras' Node): the layer, the nodes whose outputs it reads, and
 * during a pass the value it produced and the gradient flowing back into that value.
 */
final class Node {

    /** The symbolic tensor this node produces. */
    final SymbolicTensor tensor;
    final Layer layer;
    /** Producers of the inputs, in the order the layer takes them (the same node twice for {@code Add(x, x)}). */
    final Node[] inputs;
    /** Position in the execution order. */
    final int index;
    /** For an input of the model: its position in {@link Model#inputs()}, else -1. */
    int modelInput = -1;
    /** How many (consumer, input slot) pairs read this node's value: more than one means gradients are summed. */
    int consumerSlots;

    /** The value of the last forward pass (a buffer owned by the layer). */
    Tensor value;
    /** dL/dvalue in the current backward pass, or null while no consumer has contributed yet. */
    Tensor gradient;
    /** The model's own buffer for summing the contributions of several consumers (reused across passes). */
    Tensor gradientSum;

    Node(SymbolicTensor tensor, Node[] inputs, int index) {
        this.tensor = tensor;
        this.layer = tensor.layer();
        this.inputs = inputs;
        this.index = index;
    }

    /** The mode this call runs in during a pass in mode {@code pass}: its fixed {@code training=} if it has one. */
    boolean training(boolean pass) {
        return tensor.training() != null ? tensor.training() : pass;
    }

    /** "conv2d (Conv2D)". */
    String label() {
        return layer.name() + " (" + layer.className() + ")";
    }
}
