package dev.convey.layers;

/**
 * What a layer is applied to when a functional model is built: the layers' side of
 * {@code dev.convey.models.SymbolicTensor} (Keras' KerasTensor), so that {@link Layer#apply} needs nothing from
 * the models package and the dependencies point one way (models use layers, never the reverse).
 *
 * @param <T> the symbolic tensor type, which {@code apply} returns
 */
public interface SymbolicInput<T extends SymbolicInput<T>> {

    /**
     * Builds {@code layer} for the shapes of {@code inputs} (this tensor is one of them) and returns its output;
     * {@code training} fixes the call's mode (Keras' {@code layer(x, training=False)}), null leaves it to the pass.
     */
    T connect(Layer layer, T[] inputs, Boolean training);
}
