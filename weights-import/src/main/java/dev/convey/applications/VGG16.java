package dev.convey.applications;

import dev.convey.models.Model;

/**
 * Keras' {@code keras.applications.VGG16}: the 16-layer {@link VGG} (2, 2, 3, 3, 3 convolutions per block, then
 * three fully connected layers; see there for the architecture).
 */
public final class VGG16 {

    static final Pretrained WEIGHTS = new Pretrained(
            "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/",
            "vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b",
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc");

    private VGG16() {
    }

    /** Keras' {@code VGG16(include_top, weights, input_shape, pooling, classes)}; inputShape null for the default. */
    public static Model create(boolean includeTop, String weights, int[] inputShape, String pooling, int classes) {
        return create(new ApplicationOptions().includeTop(includeTop).weights(weights).inputShape(inputShape)
                .pooling(pooling).classes(classes));
    }

    /** VGG16 with the given options ({@code new ApplicationOptions()} gives Keras' defaults: the ImageNet classifier). */
    public static Model create(ApplicationOptions options) {
        return VGG.create(options, "VGG16", new int[] {2, 2, 3, 3, 3}, WEIGHTS);
    }
}
