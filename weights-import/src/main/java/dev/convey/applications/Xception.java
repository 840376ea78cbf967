package dev.convey.applications;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.SeparableConv2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' {@code keras.applications.Xception} (Chollet, "Xception: Deep Learning with Depthwise Separable
 * Convolutions", 2017), as Keras 3's {@code keras/src/applications/xception.py} builds it. Every convolution is
 * without bias and followed by a BatchNormalization (Keras' defaults); "sep" is a 3x3 "same" SeparableConv2D:
 * <pre>
 *   entry    block1   3x3/2 conv 32, BN, ReLU, 3x3 conv 64, BN, ReLU                       299 -> 149 -> 147
 *            block2   sep 128, BN, ReLU, sep 128, BN, 3x3/2 max pool    + 1x1/2 conv 128, BN      -> 74
 *            block3   ReLU, sep 256, BN, ReLU, sep 256, BN, max pool    + 1x1/2 conv 256, BN      -> 37
 *            block4   ReLU, sep 728, BN, ReLU, sep 728, BN, max pool    + 1x1/2 conv 728, BN      -> 19
 *   middle   block5 .. block12: x + (ReLU, sep 728, BN) x 3                                        19
 *   exit     block13  ReLU, sep 728, BN, ReLU, sep 1024, BN, max pool   + 1x1/2 conv 1024, BN     -> 10
 *            block14  sep 1536, BN, ReLU, sep 2048, BN, ReLU
 *   top      avg_pool (global average), predictions
 * </pre>
 * The shortcut convolutions, their batch norms and the Adds are unnamed in Keras ({@code conv2d},
 * {@code batch_normalization}, {@code add}, ...) and created in Keras' order, so their automatic names match.
 * Default input 299 x 299, at least 71; preprocessing 'tf' (x / 127.5 - 1).
 */
public final class Xception {

    static final Pretrained WEIGHTS = new Pretrained(
            "https://storage.googleapis.com/tensorflow/keras-applications/xception/",
            "xception_weights_tf_dim_ordering_tf_kernels.h5", "0a58e3b7378bc2990ea3b43d5981f1f6",
            "xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "b0042744bf5b25fce3cb969f33bebb97");

    private Xception() {
    }

    /** Xception with the given options ({@code new ApplicationOptions()} gives Keras' defaults). */
    public static Model create(ApplicationOptions options) {
        int[] inputShape = options.validate("Xception", 299, 71);
        SymbolicTensor input = Input.of(inputShape);

        SymbolicTensor x = new Conv2D(options.width(32), 3).strides(2).useBias(false).name("block1_conv1").apply(input);
        x = new BatchNormalization().name("block1_conv1_bn").apply(x);
        x = new Activation("relu").name("block1_conv1_act").apply(x);
        x = new Conv2D(options.width(64), 3).useBias(false).name("block1_conv2").apply(x);
        x = new BatchNormalization().name("block1_conv2_bn").apply(x);
        x = new Activation("relu").name("block1_conv2_act").apply(x);

        x = entryBlock(x, options.width(128), options.width(128), 2, false);
        x = entryBlock(x, options.width(256), options.width(256), 3, true);
        x = entryBlock(x, options.width(728), options.width(728), 4, true);

        for (int block = 5; block <= 12; block++) {
            SymbolicTensor residual = x;
            String prefix = "block" + block;
            for (int i = 1; i <= 3; i++) {
                x = new Activation("relu").name(prefix + "_sepconv" + i + "_act").apply(x);
                x = sepconvBn(x, options.width(728), prefix + "_sepconv" + i);
            }
            x = new Add().apply(x, residual);
        }

        x = entryBlock(x, options.width(728), options.width(1024), 13, true);

        x = sepconvBn(x, options.width(1536), "block14_sepconv1");
        x = new Activation("relu").name("block14_sepconv1_act").apply(x);
        x = sepconvBn(x, options.width(2048), "block14_sepconv2");
        x = new Activation("relu").name("block14_sepconv2_act").apply(x);

        if (options.includeTop()) {
            x = new GlobalAveragePooling2D().name("avg_pool").apply(x);
            x = new Dense(options.classes()).activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            x = options.applyPooling(x, null, null);
        }
        Model model = new Model(input, x, "xception");
        WEIGHTS.load(model, options);
        return model;
    }

    /**
     * A strided block of the entry and exit flows: a 1x1/2 conv + BN shortcut (created first, as in Keras), then
     * [ReLU] sep, BN, ReLU, sep, BN, 3x3/2 max pool, and their sum. Block 2 has no leading ReLU and names its
     * middle ReLU {@code block2_sepconv2_act}, as Keras does.
     */
    private static SymbolicTensor entryBlock(SymbolicTensor x, int filters1, int filters2, int block, boolean leadingRelu) {
        String prefix = "block" + block;
        SymbolicTensor residual = new Conv2D(filters2, 1).strides(2).padding("same").useBias(false).apply(x);
        residual = new BatchNormalization().apply(residual);
        if (leadingRelu) {
            x = new Activation("relu").name(prefix + "_sepconv1_act").apply(x);
        }
        x = sepconvBn(x, filters1, prefix + "_sepconv1");
        x = new Activation("relu").name(prefix + "_sepconv2_act").apply(x);
        x = sepconvBn(x, filters2, prefix + "_sepconv2");
        x = new MaxPooling2D(3).strides(2).padding("same").name(prefix + "_pool").apply(x);
        return new Add().apply(x, residual);
    }

    /** A 3x3 "same" SeparableConv2D without bias, named {@code name}, and its BatchNormalization {@code name_bn}. */
    private static SymbolicTensor sepconvBn(SymbolicTensor x, int filters, String name) {
        x = new SeparableConv2D(filters, 3).padding("same").useBias(false).name(name).apply(x);
        return new BatchNormalization().name(name + "_bn").apply(x);
    }
}
