package dev.convey.onnx;

import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.convey.layers.BatchNormalization;
import dev.convey.layers.CenterCrop;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Dot;
import dev.convey.layers.Flatten;
import dev.convey.layers.RandomContrast;
import dev.convey.layers.RandomCrop;
import dev.convey.layers.RandomFlip;
import dev.convey.layers.RandomRotation;
import dev.convey.layers.RandomTranslation;
import dev.convey.layers.RandomZoom;
import dev.convey.layers.Reshape;
import dev.convey.layers.Resizing;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras 3's preprocessing layers, Dot and BatchNormalization on other axes, exported and run in ONNX Runtime:
 * Convey's inference output to 1e-5 of its largest value (the augmentation layers are the identity there).
 */
class PreprocessingExportTest {

    private static final int H = 7;
    private static final int W = 9;
    private static final int C = 3;

    private static Arguments model(String name, Function<SymbolicTensor, SymbolicTensor> body) {
        SymbolicTensor x = Input.of(H, W, C);
        return Arguments.of(name, new Model(x, body.apply(x), name));
    }

    private static SymbolicTensor conv(SymbolicTensor x) {
        return new Conv2D(4, 3).padding("same").activation("relu").apply(x);
    }

    /** (batch, 63, 4): a conv's pixels as a sequence. */
    private static SymbolicTensor sequence(SymbolicTensor x) {
        return new Reshape(-1, 4).apply(new Conv2D(4, 1).apply(x));
    }

    static Stream<Arguments> layers() {
        return Stream.of(
                model("augmentation_is_identity", x -> new Conv2D(2, 3).apply(new RandomContrast(0.3).apply(
                        new RandomTranslation(0.2, 0.2).apply(new RandomZoom(0.2).apply(new RandomRotation(0.3).apply(
                                new RandomFlip().apply(x))))))),
                model("resizing_bilinear_up_and_down", x -> new Resizing(11, 5).apply(conv(x))),
                model("resizing_nearest", x -> new Resizing(5, 13, "nearest", false, false, 0).apply(conv(x))),
                model("resizing_crop_to_aspect_ratio", x -> new Resizing(4, 4, "bilinear", true, false, 0).apply(x)),
                model("resizing_pad_to_aspect_ratio", x -> new Resizing(6, 3, "bilinear", false, true, 0.5).apply(conv(x))),
                model("center_crop_slice", x -> new CenterCrop(4, 6).apply(conv(x))),
                model("center_crop_smart_resize", x -> new CenterCrop(8, 6).apply(x)),
                model("random_crop_inference", x -> new RandomCrop(5, 5).apply(conv(x))),
                model("dot_vectors_normalized", x -> {
                    SymbolicTensor f = new Flatten().apply(x);
                    return new Dot(new int[] {-1}, true).apply(new Dense(6).apply(f), new Dense(6).apply(f));
                }),
                model("dot_sequences_last_axes", x -> new Dot(new int[] {2, 2}, false).apply(sequence(x), sequence(x))),
                model("dot_sequences_first_axes_normalized", x -> new Dot(new int[] {1, 1}, true).apply(sequence(x), sequence(x))),
                model("dot_vector_and_sequence", x -> new Dot(new int[] {1, 2}, false).apply(
                        new Dense(4).apply(new Flatten().apply(x)), sequence(x))),
                model("batch_normalization_height_axis", x -> new BatchNormalization().axis(1).apply(conv(x))),
                model("batch_normalization_width_axis", x -> new BatchNormalization().axis(-2).apply(conv(x))),
                model("batch_normalization_sequence", x -> new BatchNormalization().axis(1).apply(sequence(x))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void exportedLayerMatchesConvey(String name, Model model) throws Exception {
        LayerExportTest.randomise(model, name.hashCode());
        double relative = OrtRunner.assertMatchesConvey(model, LayerExportTest.input(2, H, W, C, 5));
        System.out.printf(java.util.Locale.ROOT, "%s: max |ORT - Convey| / max |Convey| = %.1e%n", name, relative);
    }
}
