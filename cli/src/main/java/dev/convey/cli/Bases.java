package dev.convey.cli;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.Applications;
import dev.convey.models.Model;

/** {@code --base NAME}: an application of the {@link Applications} registry without its top. */
final class Bases {

    private Bases() {
    }

    static Model create(String name, String weights, int height, int width, int widthDivisor, Double alpha) {
        return create(name, weights, height, width, widthDivisor, alpha, null);
    }

    /** With Keras' {@code pooling} ({@code "avg"}, {@code "max"} or null: the 4-D feature map). */
    static Model create(String name, String weights, int height, int width, int widthDivisor, Double alpha,
                        String pooling) {
        if (TorchvisionSource.handles(name)) {
            try {
                return TorchvisionSource.base(name, weights, height, width, pooling);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        ApplicationOptions options = new ApplicationOptions().includeTop(false).weights(weights)
                .inputShape(height, width, 3).pooling(pooling);
        if (alpha != null) {
            options.alpha(alpha);     // MobileNet's width multiplier (e.g. 0.25 for mobilenet_2_5_224_tf_no_top.h5)
        }
        if (widthDivisor != 1) {
            options.widthDivisor(widthDivisor);
        }
        return Applications.get(name).create(options);
    }

    /** The application's {@code preprocess_input} mode. */
    static String preprocessing(String name) {
        if (TorchvisionSource.handles(name)) {
            return "torch";                                  // x / 255, then ImageNet mean and std: torchvision's Normalize
        }
        return Applications.get(name).preprocessMode();
    }

    /** The registry name (e.g. {@code mobilenet} for {@code MobileNet}); a torchvision name as given. */
    static String name(String name) {
        return TorchvisionSource.handles(name) ? name : Applications.get(name).name();
    }
}
