package dev.convey.applications;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
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
 * Keras' {@code keras.applications.ResNet50} (He et al., "Deep Residual Learning for Image Recognition", 2015), in
 * the layout of Keras' {@code resnet.py} (Keras 2.2.5+ and tf.keras: layer names {@code conv1_conv},
 * {@code conv2_block1_0_conv}, ...; convolutions with biases; BatchNormalization epsilon 1.001e-5).
 * <pre>
 *   stem    7x7/2 conv 64, BN, ReLU, 3x3/2 max pool            224 -> 112 -> 56
 *   conv2   3 bottleneck blocks,  64 -> 256 channels            56
 *   conv3   4 blocks, 128 -> 512, the first with stride 2       28
 *   conv4   6 blocks, 256 -> 1024, stride 2                     14
 *   conv5   3 blocks, 512 -> 2048, stride 2                      7
 *   top     global average pool (2048), predictions 1000 softmax
 * </pre>
 * A bottleneck block computes {@code relu(shortcut(x) + F(x))}: F is a 1x1 conv reducing the channels, a 3x3
 * conv, and a 1x1 conv expanding them 4x, each followed by BatchNormalization. The shortcut is the identity,
 * except in each stage's first block, where a strided 1x1 conv + BN matches the new shape.
 */
public final class ResNet50 {

    static final Pretrained WEIGHTS = new Pretrained(
            "https://storage.googleapis.com/tensorflow/keras-applications/resnet/",
            "resnet50_weights_tf_dim_ordering_tf_kernels.h5", "2cb95161c43110f7111970584f804107",
            "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "4d473c1dd8becc155b73f8504c6f6626");

    /** Keras' epsilon for ResNet's BatchNormalization (close to the 1e-5 of the original Caffe model). */
    static final double BN_EPSILON = 1.001e-5;

    private ResNet50() {
    }

    /** Keras' {@code ResNet50(include_top, weights, input_shape, pooling, classes)}; inputShape null for the default. */
    public static Model create(boolean includeTop, String weights, int[] inputShape, String pooling, int classes) {
        return create(new ApplicationOptions().includeTop(includeTop).weights(weights).inputShape(inputShape)
                .pooling(pooling).classes(classes));
    }

    /** ResNet50 with the given options ({@code new ApplicationOptions()} gives Keras' defaults). */
    public static Model create(ApplicationOptions options) {
        int[] inputShape = options.validate("ResNet50");
        SymbolicTensor input = Input.of(inputShape);

        SymbolicTensor x = new ZeroPadding2D(3).name("conv1_pad").apply(input);
        x = new Conv2D(options.width(64), 7).strides(2).name("conv1_conv").apply(x);
        x = batchNorm("conv1_bn").apply(x);
        x = new Activation("relu").name("conv1_relu").apply(x);
        x = new ZeroPadding2D(1).name("pool1_pad").apply(x);
        x = new MaxPooling2D(3).strides(2).name("pool1_pool").apply(x);

        x = stack(x, options.width(64), 3, 1, "conv2");
        x = stack(x, options.width(128), 4, 2, "conv3");
        x = stack(x, options.width(256), 6, 2, "conv4");
        x = stack(x, options.width(512), 3, 2, "conv5");

        if (options.includeTop()) {
            x = new GlobalAveragePooling2D().name("avg_pool").apply(x);
            x = new Dense(options.classes()).activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            x = options.applyPooling(x, "avg_pool", "max_pool");
        }
        Model model = new Model(input, x, "resnet50");
        WEIGHTS.load(model, options);
        return model;
    }

    /** Keras' {@code stack1}: {@code blocks} bottleneck blocks; the first changes the width and applies the stride. */
    private static SymbolicTensor stack(SymbolicTensor x, int filters, int blocks, int firstStride, String name) {
        x = block(x, filters, firstStride, true, name + "_block1");
        for (int i = 2; i <= blocks; i++) {
            x = block(x, filters, 1, false, name + "_block" + i);
        }
        return x;
    }

    /**
     * Keras' {@code block1}: out = relu(shortcut + bn(conv1x1(relu(bn(conv3x3(relu(bn(conv1x1/stride(x))))))))). The
     * layers are created in Keras' order (shortcut first), so automatic names and the model's layer order match.
     */
    private static SymbolicTensor block(SymbolicTensor x, int filters, int stride, boolean convShortcut, String name) {
        SymbolicTensor shortcut = x;
        if (convShortcut) {
            shortcut = new Conv2D(4 * filters, 1).strides(stride).name(name + "_0_conv").apply(x);
            shortcut = batchNorm(name + "_0_bn").apply(shortcut);
        }
        SymbolicTensor y = new Conv2D(filters, 1).strides(stride).name(name + "_1_conv").apply(x);
        y = batchNorm(name + "_1_bn").apply(y);
        y = new Activation("relu").name(name + "_1_relu").apply(y);

        y = new Conv2D(filters, 3).padding("same").name(name + "_2_conv").apply(y);
        y = batchNorm(name + "_2_bn").apply(y);
        y = new Activation("relu").name(name + "_2_relu").apply(y);

        y = new Conv2D(4 * filters, 1).name(name + "_3_conv").apply(y);
        y = batchNorm(name + "_3_bn").apply(y);

        y = new Add().name(name + "_add").apply(shortcut, y);
        return new Activation("relu").name(name + "_out").apply(y);
    }

    private static Layer batchNorm(String name) {
        return new BatchNormalization().epsilon(BN_EPSILON).name(name);
    }
}
