package dev.convey.applications;

import java.util.Arrays;

import dev.convey.layers.Activation;
import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' {@code keras.applications.DenseNet121}, {@code DenseNet169} and {@code DenseNet201} (Huang et al.,
 * "Densely Connected Convolutional Networks", 2017), as Keras 3's {@code densenet.py} builds them:
 * <pre>
 *   stem         ZeroPadding2D 3, 7x7/2 conv 64 (conv1_conv), BN, ReLU, ZeroPadding2D 1, 3x3/2 max pool (pool1)
 *   4 dense blocks conv2..conv5 of 6, 12, {24, 32, 48}, {16, 32, 32} building blocks "convN_blockK_":
 *     0_bn, 0_relu, 1_conv (1x1, 4 * 32 filters), 1_bn, 1_relu, 2_conv (3x3 same, 32 filters: the growth rate),
 *     concat      Concatenate([block input, new 32 channels]): every block sees all the features before it
 *   transitions pool2..pool4 after blocks 2..4: BN, ReLU, 1x1 conv to half the channels, 2x2/2 average pool
 *   top          BN (bn), ReLU (relu), GlobalAveragePooling2D (avg_pool), Dense predictions
 * </pre>
 * Every BatchNormalization has epsilon 1.001e-5; no convolution has a bias. The two ZeroPadding2D layers keep
 * Keras' automatic names of a fresh session, {@code zero_padding2d} and {@code zero_padding2d_1}. Preprocessing:
 * 'torch' mode (x / 255, minus the ImageNet mean, divided by its standard deviation, per RGB channel).
 */
public final class DenseNet {

    static final String BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/";

    /** DenseNet121, 169, 201: the building blocks of the four dense blocks. */
    private static final int[][] BLOCKS = {{6, 12, 24, 16}, {6, 12, 32, 32}, {6, 12, 48, 32}};
    private static final int[] DEPTHS = {121, 169, 201};
    /** The MD5 hashes in Keras' densenet.py, per depth: with the top, without. */
    private static final String[][] HASHES = {
        {"9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"},
        {"d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"},
        {"1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"},
    };
    private static final int GROWTH_RATE = 32;
    private static final double REDUCTION = 0.5;
    private static final double EPSILON = 1.001e-5;

    private DenseNet() {
    }

    /** Keras' {@code DenseNet121(...)}, {@code DenseNet169(...)} or {@code DenseNet201(...)}: depth 121, 169 or 201. */
    public static Model create(int depth, ApplicationOptions options) {
        int[] blocks = BLOCKS[index(depth)];
        int[] inputShape = options.validate("DenseNet" + depth);
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = new ZeroPadding2D(3).name("zero_padding2d").apply(input);
        x = new Conv2D(options.width(64), 7).strides(2).useBias(false).name("conv1_conv").apply(x);
        x = batchNorm("conv1_bn").apply(x);
        x = new Activation("relu").name("conv1_relu").apply(x);
        x = new ZeroPadding2D(1).name("zero_padding2d_1").apply(x);
        x = new MaxPooling2D(3).strides(2).name("pool1").apply(x);
        int growth = options.width(GROWTH_RATE);
        for (int b = 0; b < blocks.length; b++) {
            x = denseBlock(x, blocks[b], growth, "conv" + (b + 2));
            if (b < blocks.length - 1) {
                x = transitionBlock(x, "pool" + (b + 2));
            }
        }
        x = batchNorm("bn").apply(x);
        x = new Activation("relu").name("relu").apply(x);
        if (options.includeTop()) {
            x = new GlobalAveragePooling2D().name("avg_pool").apply(x);
            x = new Dense(options.classes()).activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            x = options.applyPooling(x, "avg_pool", "max_pool");
        }
        Model model = new Model(input, x, "densenet" + depth);
        weights(depth).load(model, options);
        return model;
    }

    /** Keras' {@code dense_block}: {@code blocks} building blocks, each adding {@code growth} channels. */
    private static SymbolicTensor denseBlock(SymbolicTensor x, int blocks, int growth, String name) {
        for (int i = 0; i < blocks; i++) {
            x = convBlock(x, growth, name + "_block" + (i + 1));
        }
        return x;
    }

    /** Keras' {@code conv_block}: BN, ReLU, 1x1 conv (4 * growth), BN, ReLU, 3x3 conv (growth), concatenated. */
    private static SymbolicTensor convBlock(SymbolicTensor x, int growth, String name) {
        SymbolicTensor x1 = batchNorm(name + "_0_bn").apply(x);
        x1 = new Activation("relu").name(name + "_0_relu").apply(x1);
        x1 = new Conv2D(4 * growth, 1).useBias(false).name(name + "_1_conv").apply(x1);
        x1 = batchNorm(name + "_1_bn").apply(x1);
        x1 = new Activation("relu").name(name + "_1_relu").apply(x1);
        x1 = new Conv2D(growth, 3).padding("same").useBias(false).name(name + "_2_conv").apply(x1);
        return new Concatenate(-1).name(name + "_concat").apply(x, x1);
    }

    /** Keras' {@code transition_block}: BN, ReLU, 1x1 conv to int(channels * 0.5), 2x2 average pooling stride 2. */
    private static SymbolicTensor transitionBlock(SymbolicTensor x, String name) {
        x = batchNorm(name + "_bn").apply(x);
        x = new Activation("relu").name(name + "_relu").apply(x);
        int[] shape = x.shape();
        x = new Conv2D((int) (shape[shape.length - 1] * REDUCTION), 1).useBias(false).name(name + "_conv").apply(x);
        return new AveragePooling2D(2).strides(2).name(name + "_pool").apply(x);
    }

    private static Layer batchNorm(String name) {
        return new BatchNormalization().epsilon(EPSILON).name(name);
    }

    /** {@code densenet121_weights_tf_dim_ordering_tf_kernels[_notop].h5} with the hashes Keras checks. */
    static Pretrained weights(int depth) {
        String[] md5 = HASHES[index(depth)];
        String stem = "densenet" + depth + "_weights_tf_dim_ordering_tf_kernels";
        return new Pretrained(BASE_URL, stem + ".h5", md5[0], stem + "_notop.h5", md5[1]);
    }

    private static int index(int depth) {
        for (int i = 0; i < DEPTHS.length; i++) {
            if (DEPTHS[i] == depth) {
                return i;
            }
        }
        throw new IllegalArgumentException("DenseNet depth must be one of " + Arrays.toString(DEPTHS) + ", got " + depth);
    }
}
