package dev.convey.cli;

import java.nio.file.Path;
import java.util.List;

import dev.convey.keras.ModelMetadata;
import dev.convey.models.Model;
import picocli.CommandLine.Option;

/**
 * {@code --base NAME [--weights imagenet|FILE|none] [--alpha F] [--image-size H,W]}: a pretrained application
 * without its top ({@link Bases}), the options {@code train} and {@code features} share (a picocli mixin in
 * {@code train}, the first of {@code features}' two exclusive sources).
 */
class BaseOptions {

    @Option(names = "--base", required = true, paramLabel = "NAME", description = "Keras application used as base (no top).")
    String name;

    @Option(names = "--weights", defaultValue = "imagenet", paramLabel = "imagenet|FILE|none",
            description = "The base's weights (include_top=False file), 'imagenet' (default) or 'none'.")
    String weights;

    @Option(names = "--alpha", paramLabel = "F",
            description = "MobileNet's width multiplier alpha (e.g. 0.25 for mobilenet_2_5_224_tf_no_top.h5).")
    Double alpha;

    @Option(names = "--width-divisor", defaultValue = "1", hidden = true, description = "Tiny fixture bases (tests).")
    int widthDivisor;

    @Option(names = "--image-size", split = ",", defaultValue = "224,224", paramLabel = "H,W",
            description = "Input size (default 224,224).")
    int[] imageSize;

    /** Checks the image size and that a weights file exists, before anything slow starts. */
    void check() throws java.nio.file.NoSuchFileException {
        if (imageSize.length != 2 || imageSize[0] < 1 || imageSize[1] < 1) {
            throw new IllegalArgumentException("--image-size takes H,W (positive), got " + imageSize.length + " numbers");
        }
        if (!weights.equals("imagenet") && !weights.equals("none")) {
            ModelSource.requireFile(Path.of(weights));
        }
    }

    /** The base with Keras' {@code pooling} ("avg", "max" or null: the feature map). */
    Model create(String pooling) {
        return Bases.create(name, weights.equals("none") ? null : weights, imageSize[0], imageSize[1], widthDivisor,
                alpha, pooling);
    }

    /** What a model on this base saves beside its weights: the class names, preprocessing, image size. */
    ModelMetadata metadata(List<String> classNames) {
        return new ModelMetadata(classNames, Bases.preprocessing(name), imageSize, "rgb", Bases.name(name));
    }
}
