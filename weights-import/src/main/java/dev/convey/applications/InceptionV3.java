package dev.convey.applications;

import dev.convey.layers.Activation;
import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' {@code keras.applications.InceptionV3} (Szegedy et al., "Rethinking the Inception Architecture for Computer
 * Vision", 2016), as Keras 3's {@code keras/src/applications/inception_v3.py} builds it. Every convolution is
 * Keras' {@code conv2d_bn}: Conv2D without bias, BatchNormalization without scale (gamma), ReLU, all unnamed
 * ({@code conv2d_N}, {@code batch_normalization_N}, {@code activation_N}) and created in Keras' order:
 * <pre>
 *   stem     3x3/2 32 v, 3x3 32 v, 3x3 64, 3x3/2 max pool, 1x1 80 v, 3x3 192 v, 3x3/2 max pool   299 -> 35
 *   mixed0-2   35x35: 1x1 | 1x1, 5x5 | 1x1, 3x3, 3x3 | 3x3 avg pool, 1x1         -> 256, 288, 288
 *   mixed3     17x17: 3x3/2 v | 1x1, 3x3, 3x3/2 v | 3x3/2 max pool                -> 768
 *   mixed4-7   17x17: 1x1 | 1x1, 1x7, 7x1 | 1x1, 7x1, 1x7, 7x1, 1x7 | avg pool, 1x1   -> 768 (factorised 7x7)
 *   mixed8     8x8:   1x1, 3x3/2 v | 1x1, 1x7, 7x1, 3x3/2 v | 3x3/2 max pool     -> 1280
 *   mixed9-10  8x8:   1x1 | 1x1, (1x3 | 3x1) | 1x1, 3x3, (1x3 | 3x1) | avg pool, 1x1   -> 2048
 *   top      avg_pool (global average), predictions
 * </pre>
 * ("v": valid padding, else same; branches joined by Concatenate on the channels, {@code mixedN}.) Default input
 * 299 x 299, at least 75; preprocessing 'tf' (x / 127.5 - 1).
 */
public final class InceptionV3 {

    static final Pretrained WEIGHTS = new Pretrained(
            "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/",
            "inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "9a0d58056eeedaa3f26cb7ebd46da564",
            "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63");

    private InceptionV3() {
    }

    /** InceptionV3 with the given options ({@code new ApplicationOptions()} gives Keras' defaults). */
    public static Model create(ApplicationOptions options) {
        int[] inputShape = options.validate("InceptionV3", 299, 75);
        Builder b = new Builder(options);
        SymbolicTensor input = Input.of(inputShape);

        SymbolicTensor x = b.conv(input, 32, 3, 3, 2, "valid");
        x = b.conv(x, 32, 3, 3, 1, "valid");
        x = b.conv(x, 64, 3, 3);
        x = new MaxPooling2D(3).strides(2).apply(x);
        x = b.conv(x, 80, 1, 1, 1, "valid");
        x = b.conv(x, 192, 3, 3, 1, "valid");
        x = new MaxPooling2D(3).strides(2).apply(x);

        for (int i = 0; i <= 2; i++) {
            x = b.module35(x, i == 0 ? 32 : 64, "mixed" + i);
        }

        SymbolicTensor branch3x3 = b.conv(x, 384, 3, 3, 2, "valid");
        SymbolicTensor branch3x3dbl = b.conv(x, 64, 1, 1);
        branch3x3dbl = b.conv(branch3x3dbl, 96, 3, 3);
        branch3x3dbl = b.conv(branch3x3dbl, 96, 3, 3, 2, "valid");
        SymbolicTensor pool = new MaxPooling2D(3).strides(2).apply(x);
        x = concatenate("mixed3", branch3x3, branch3x3dbl, pool);

        for (int i = 4; i <= 7; i++) {
            x = b.module17(x, i == 4 ? 128 : i == 7 ? 192 : 160, "mixed" + i);
        }

        branch3x3 = b.conv(x, 192, 1, 1);
        branch3x3 = b.conv(branch3x3, 320, 3, 3, 2, "valid");
        SymbolicTensor branch7x7x3 = b.conv(x, 192, 1, 1);
        branch7x7x3 = b.conv(branch7x7x3, 192, 1, 7);
        branch7x7x3 = b.conv(branch7x7x3, 192, 7, 1);
        branch7x7x3 = b.conv(branch7x7x3, 192, 3, 3, 2, "valid");
        pool = new MaxPooling2D(3).strides(2).apply(x);
        x = concatenate("mixed8", branch3x3, branch7x7x3, pool);

        for (int i = 0; i <= 1; i++) {
            x = b.module8(x, i);
        }

        if (options.includeTop()) {
            x = new GlobalAveragePooling2D().name("avg_pool").apply(x);
            x = new Dense(options.classes()).activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            x = options.applyPooling(x, null, null);
        }
        Model model = new Model(input, x, "inception_v3");
        WEIGHTS.load(model, options);
        return model;
    }

    /** A Concatenate on the channel axis, named (null: Keras' automatic {@code concatenate_N}). */
    private static SymbolicTensor concatenate(String name, SymbolicTensor... branches) {
        Layer concat = new Concatenate(3);   // Keras: axis=3, the channels of NHWC
        return (name == null ? concat : concat.name(name)).apply(branches);
    }

    /** The modules, with the width divisor of the options (a test hook) applied to every filter count. */
    private static final class Builder {
        private final ApplicationOptions options;

        Builder(ApplicationOptions options) {
            this.options = options;
        }

        SymbolicTensor conv(SymbolicTensor x, int filters, int rows, int cols) {
            return conv(x, filters, rows, cols, 1, "same");
        }

        /** Keras' {@code conv2d_bn}: Conv2D (no bias) -> BatchNormalization(scale=False) -> ReLU, all unnamed. */
        SymbolicTensor conv(SymbolicTensor x, int filters, int rows, int cols, int stride, String padding) {
            x = new Conv2D(options.width(filters), new int[] {rows, cols}).strides(stride).padding(padding)
                    .useBias(false).apply(x);
            x = new BatchNormalization().scale(false).apply(x);
            return new Activation("relu").apply(x);
        }

        /** mixed0-2 (35 x 35): 1x1 64 | 1x1 48, 5x5 64 | 1x1 64, 3x3 96, 3x3 96 | avg pool, 1x1 poolFilters. */
        SymbolicTensor module35(SymbolicTensor x, int poolFilters, String name) {
            SymbolicTensor branch1x1 = conv(x, 64, 1, 1);
            SymbolicTensor branch5x5 = conv(x, 48, 1, 1);
            branch5x5 = conv(branch5x5, 64, 5, 5);
            SymbolicTensor branch3x3dbl = conv(x, 64, 1, 1);
            branch3x3dbl = conv(branch3x3dbl, 96, 3, 3);
            branch3x3dbl = conv(branch3x3dbl, 96, 3, 3);
            SymbolicTensor pool = conv(averagePool(x), poolFilters, 1, 1);
            return concatenate(name, branch1x1, branch5x5, branch3x3dbl, pool);
        }

        /** mixed4-7 (17 x 17): 1x1 192 | 1x1 c, 1x7 c, 7x1 192 | 1x1 c, 7x1 c, 1x7 c, 7x1 c, 1x7 192 | pool, 1x1 192. */
        SymbolicTensor module17(SymbolicTensor x, int c, String name) {
            SymbolicTensor branch1x1 = conv(x, 192, 1, 1);
            SymbolicTensor branch7x7 = conv(x, c, 1, 1);
            branch7x7 = conv(branch7x7, c, 1, 7);
            branch7x7 = conv(branch7x7, 192, 7, 1);
            SymbolicTensor branch7x7dbl = conv(x, c, 1, 1);
            branch7x7dbl = conv(branch7x7dbl, c, 7, 1);
            branch7x7dbl = conv(branch7x7dbl, c, 1, 7);
            branch7x7dbl = conv(branch7x7dbl, c, 7, 1);
            branch7x7dbl = conv(branch7x7dbl, 192, 1, 7);
            SymbolicTensor pool = conv(averagePool(x), 192, 1, 1);
            return concatenate(name, branch1x1, branch7x7, branch7x7dbl, pool);
        }

        /**
         * mixed9, mixed10 (8 x 8): 1x1 320 | 1x1 384, (1x3 384 | 3x1 384) as mixed9_i | 1x1 448, 3x3 384,
         * (1x3 384 | 3x1 384) unnamed | avg pool, 1x1 192.
         */
        SymbolicTensor module8(SymbolicTensor x, int i) {
            SymbolicTensor branch1x1 = conv(x, 320, 1, 1);
            SymbolicTensor branch3x3 = conv(x, 384, 1, 1);
            SymbolicTensor branch3x3a = conv(branch3x3, 384, 1, 3);
            SymbolicTensor branch3x3b = conv(branch3x3, 384, 3, 1);
            branch3x3 = concatenate("mixed9_" + i, branch3x3a, branch3x3b);
            SymbolicTensor branch3x3dbl = conv(x, 448, 1, 1);
            branch3x3dbl = conv(branch3x3dbl, 384, 3, 3);
            SymbolicTensor branch3x3dblA = conv(branch3x3dbl, 384, 1, 3);
            SymbolicTensor branch3x3dblB = conv(branch3x3dbl, 384, 3, 1);
            branch3x3dbl = concatenate(null, branch3x3dblA, branch3x3dblB);
            SymbolicTensor pool = conv(averagePool(x), 192, 1, 1);
            return concatenate("mixed" + (9 + i), branch1x1, branch3x3, branch3x3dbl, pool);
        }

        private static SymbolicTensor averagePool(SymbolicTensor x) {
            return new AveragePooling2D(3).strides(1).padding("same").apply(x);
        }
    }
}
