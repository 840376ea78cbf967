package dev.convey.layers;

import java.util.function.Supplier;

/**
 * Layers that are steps inside another layer (SeparableConv2D's depthwise and pointwise convolutions) take no
 * Keras automatic name, so that the numbering of the model's own layers stays Keras' (a Keras SeparableConv2D
 * creates no inner {@code depthwise_conv2d} or {@code conv2d}). {@link Layer}'s constructor asks {@link #creating}.
 */
final class InnerLayers {

    private static final ThreadLocal<Boolean> CREATING = ThreadLocal.withInitial(() -> false);

    private InnerLayers() {
    }

    /** Creates a step: the layer is named after its stem alone and no automatic-name counter moves. */
    static <T extends Layer> T create(Supplier<T> create) {
        boolean outer = CREATING.get();
        CREATING.set(true);
        try {
            return create.get();
        } finally {
            CREATING.set(outer);
        }
    }

    /** True while {@link #create} runs on this thread. */
    static boolean creating() {
        return CREATING.get();
    }
}
