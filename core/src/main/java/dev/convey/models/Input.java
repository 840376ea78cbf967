package dev.convey.models;

import dev.convey.layers.InputLayer;

/**
 * Keras' {@code Input(shape=...)}: the symbolic tensor a functional model starts from. The shape leaves out the
 * batch axis; {@code -1} is Keras' None (an axis known only at run time).
 *
 * <pre>
 *   SymbolicTensor x = Input.of(224, 224, 3);
 * </pre>
 */
public final class Input {

    private Input() {
    }

    /** A new model input of this per-sample shape, named {@code input}, {@code input_1}, ... */
    public static SymbolicTensor of(int... shape) {
        return SymbolicTensor.of(new InputLayer(shape));
    }

    /** A new model input with a chosen name (Keras' {@code Input(shape, name=...)}). */
    public static SymbolicTensor of(String name, int... shape) {
        InputLayer layer = new InputLayer(shape);
        layer.name(name);
        return SymbolicTensor.of(layer);
    }
}
