package dev.convey.cli;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ResNet50;
import dev.convey.applications.VGG16;
import dev.convey.models.Model;

import java.util.Locale;

/** {@code --base NAME}: a Keras application without its top, and its {@code preprocess_input} mode. */
final class Bases {

    private Bases() {
    }

    static Model create(String name, String weights, int height, int width, int widthDivisor) {
        return create(name, weights, height, width, widthDivisor, null);
    }

    /** With Keras' {@code pooling} ({@code "avg"}, {@code "max"} or null: the 4-D feature map). */
    static Model create(String name, String weights, int height, int width, int widthDivisor, String pooling) {
        if (TorchvisionSource.handles(name)) {
            try {
                return TorchvisionSource.base(name, weights, height, width, pooling);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        ApplicationOptions options = new ApplicationOptions().includeTop(false).weights(weights)
                .inputShape(height, width, 3).widthDivisor(widthDivisor).pooling(pooling);
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "vgg16" -> VGG16.create(options);
            case "resnet50" -> ResNet50.create(options);
            default -> throw new IllegalArgumentException("Unknown base '" + name + "': expected vgg16 or resnet50");
        };
    }

    static String preprocessing(String name) {
        if (TorchvisionSource.handles(name)) {
            return "torch";                                  // x / 255, then ImageNet mean and std: torchvision's Normalize
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "vgg16", "resnet50" -> "caffe";
            default -> throw new IllegalArgumentException("Unknown base '" + name + "': expected vgg16 or resnet50");
        };
    }
}
