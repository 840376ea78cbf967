package dev.convey.applications;

import dev.convey.models.Model;

/**
 * Keras' {@code keras.applications.VGG19}: the 19-layer {@link VGG} (2, 2, 4, 4, 4 convolutions per block, then
 * three fully connected layers; see there for the architecture), with {@code vgg19.py}'s weight files and hashes.
 */
public final class VGG19 {

    static final Pretrained WEIGHTS = new Pretrained(
            "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/",
            "vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318",
            "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6");

    private VGG19() {
    }

    /** VGG19 with the given options ({@code new ApplicationOptions()} gives Keras' defaults: the ImageNet classifier). */
    public static Model create(ApplicationOptions options) {
        return VGG.create(options, "VGG19", new int[] {2, 2, 4, 4, 4}, WEIGHTS);
    }
}
