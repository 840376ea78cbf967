package dev.convey.applications;

import dev.convey.models.Model;

/**
 * Keras' {@code keras.applications.ResNet50}: the 50-layer member of the {@link ResNet} family (layer names
 * {@code conv1_conv}, {@code conv2_block1_0_conv}, ...; see there for the architecture).
 */
public final class ResNet50 {

    static final Pretrained WEIGHTS = ResNet.Variant.RESNET50.weights();

    private ResNet50() {
    }

    /** Keras' {@code ResNet50(include_top, weights, input_shape, pooling, classes)}; inputShape null for the default. */
    public static Model create(boolean includeTop, String weights, int[] inputShape, String pooling, int classes) {
        return create(new ApplicationOptions().includeTop(includeTop).weights(weights).inputShape(inputShape)
                .pooling(pooling).classes(classes));
    }

    /** ResNet50 with the given options ({@code new ApplicationOptions()} gives Keras' defaults). */
    public static Model create(ApplicationOptions options) {
        return ResNet.create(ResNet.Variant.RESNET50, options);
    }
}
