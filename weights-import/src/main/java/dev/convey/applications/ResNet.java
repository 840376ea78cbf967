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
 * Keras' ResNet family, as Keras 3's {@code keras/src/applications/resnet.py} and {@code resnet_v2.py} build it:
 * ResNet50/101/152 (He et al., "Deep Residual Learning for Image Recognition", 2015) and ResNet50V2/101V2/152V2
 * (He et al., "Identity Mappings in Deep Residual Networks", 2016). Convolutions with biases unless said otherwise,
 * BatchNormalization epsilon 1.001e-5 (close to the 1e-5 of the original Caffe models):
 * <pre>
 *   stem    conv1_pad, 7x7/2 conv1_conv 64, [v1: conv1_bn, conv1_relu], pool1_pad, 3x3/2 max pool   224 -> 112 -> 56
 *   conv2 .. conv5   stacks of bottleneck blocks of 64, 128, 256, 512 filters (4x that out)     56, 28, 14, 7
 *                    blocks:   ResNet50(V2) 3, 4, 6, 3   ResNet101(V2) 3, 4, 23, 3   ResNet152(V2) 3, 8, 36, 3
 *   [v2: post_bn, post_relu]
 *   top     avg_pool (global average), predictions
 * </pre>
 * A v1 block computes {@code relu(shortcut + bn(conv1x1(relu(bn(conv3x3(relu(bn(conv1x1/s(x)))))))))}, the shortcut
 * bn(conv1x1/s(x)) in a stack's first block (which strides in conv3 .. conv5), x elsewhere. A v2 block
 * pre-activates: with p = relu(bn(x)), {@code shortcut + conv1x1(relu(bn(conv3x3/s(pad(relu(bn(conv1x1(p))))))))},
 * the shortcut conv1x1(p) in a stack's first block, x elsewhere (max-pooled 1x1/s when the block strides, which is
 * the last block of conv2 .. conv4); the inner convolutions have no bias.
 */
public final class ResNet {

    static final String BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/";
    /** Keras' epsilon for every BatchNormalization of the family. */
    static final double BN_EPSILON = 1.001e-5;
    private static final int[] STACK_FILTERS = {64, 128, 256, 512};

    /** One member: Keras' function name, v2 or not, blocks per stack, and the MD5s of resnet.py's WEIGHTS_HASHES. */
    public enum Variant {
        RESNET50("ResNet50", false, new int[] {3, 4, 6, 3},
                "2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
        RESNET101("ResNet101", false, new int[] {3, 4, 23, 3},
                "f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
        RESNET152("ResNet152", false, new int[] {3, 8, 36, 3},
                "100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
        RESNET50V2("ResNet50V2", true, new int[] {3, 4, 6, 3},
                "3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
        RESNET101V2("ResNet101V2", true, new int[] {3, 4, 23, 3},
                "6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
        RESNET152V2("ResNet152V2", true, new int[] {3, 8, 36, 3},
                "a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33");

        private final String kerasName;
        private final boolean preact;
        private final int[] blocks;
        private final Pretrained weights;

        Variant(String kerasName, boolean preact, int[] blocks, String topMd5, String noTopMd5) {
            this.kerasName = kerasName;
            this.preact = preact;
            this.blocks = blocks;
            String stem = modelName(kerasName) + "_weights_tf_dim_ordering_tf_kernels";
            this.weights = new Pretrained(BASE_URL, stem + ".h5", topMd5, stem + "_notop.h5", noTopMd5);
        }

        /** Keras' function name, {@code ResNet101V2}. */
        public String kerasName() {
            return kerasName;
        }

        /** Keras' model (and weights) name, {@code resnet101v2}. */
        public String modelName() {
            return modelName(kerasName);
        }

        private static String modelName(String kerasName) {
            return kerasName.toLowerCase(java.util.Locale.ROOT);
        }

        /** True for the pre-activation V2 models. */
        public boolean preact() {
            return preact;
        }

        /** resnet.py's preprocessing is 'caffe', resnet_v2.py's 'tf'. */
        public String preprocessMode() {
            return preact ? "tf" : "caffe";
        }

        Pretrained weights() {
            return weights;
        }
    }

    private ResNet() {
    }

    /** The variant with the given options ({@code new ApplicationOptions()} gives Keras' defaults). */
    public static Model create(Variant variant, ApplicationOptions options) {
        int[] inputShape = options.validate(variant.kerasName());
        SymbolicTensor input = Input.of(inputShape);

        SymbolicTensor x = new ZeroPadding2D(3).name("conv1_pad").apply(input);
        x = new Conv2D(options.width(64), 7).strides(2).name("conv1_conv").apply(x);
        if (!variant.preact) {
            x = batchNorm("conv1_bn").apply(x);
            x = new Activation("relu").name("conv1_relu").apply(x);
        }
        x = new ZeroPadding2D(1).name("pool1_pad").apply(x);
        x = new MaxPooling2D(3).strides(2).name("pool1_pool").apply(x);

        for (int s = 0; s < STACK_FILTERS.length; s++) {
            int filters = options.width(STACK_FILTERS[s]);
            String name = "conv" + (s + 2);
            x = variant.preact ? stackV2(x, filters, variant.blocks[s], s < 3 ? 2 : 1, name)
                    : stackV1(x, filters, variant.blocks[s], s == 0 ? 1 : 2, name);
        }
        if (variant.preact) {
            x = batchNorm("post_bn").apply(x);
            x = new Activation("relu").name("post_relu").apply(x);
        }

        if (options.includeTop()) {
            x = new GlobalAveragePooling2D().name("avg_pool").apply(x);
            x = new Dense(options.classes()).activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            x = options.applyPooling(x, "avg_pool", "max_pool");
        }
        Model model = new Model(input, x, variant.modelName());
        variant.weights().load(model, options);
        return model;
    }

    /** Keras' {@code stack_residual_blocks_v1}: the first block changes the width and applies the stride. */
    private static SymbolicTensor stackV1(SymbolicTensor x, int filters, int blocks, int firstStride, String name) {
        x = blockV1(x, filters, firstStride, true, name + "_block1");
        for (int i = 2; i <= blocks; i++) {
            x = blockV1(x, filters, 1, false, name + "_block" + i);
        }
        return x;
    }

    /**
     * Keras' {@code residual_block_v1}: out = relu(shortcut + bn(conv1x1(relu(bn(conv3x3(relu(bn(conv1x1/s(x)))))))).
     * The layers are created in Keras' order (shortcut first), so automatic names and the model's layer order match.
     */
    private static SymbolicTensor blockV1(SymbolicTensor x, int filters, int stride, boolean convShortcut, String name) {
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

    /**
     * Keras' {@code stack_residual_blocks_v2}: the first block has the convolution shortcut, the last applies the
     * stride.
     */
    private static SymbolicTensor stackV2(SymbolicTensor x, int filters, int blocks, int lastStride, String name) {
        x = blockV2(x, filters, 1, true, name + "_block1");
        for (int i = 2; i < blocks; i++) {
            x = blockV2(x, filters, 1, false, name + "_block" + i);
        }
        return blockV2(x, filters, lastStride, false, name + "_block" + blocks);
    }

    /**
     * Keras' {@code residual_block_v2}: p = relu(bn(x)); out = shortcut + conv1x1(relu(bn(conv3x3/s(pad(relu(bn(
     * conv1x1(p)))))))), the shortcut conv1x1/s(p), or x (max-pooled 1x1/s, an unnamed layer, when strided).
     */
    private static SymbolicTensor blockV2(SymbolicTensor x, int filters, int stride, boolean convShortcut, String name) {
        SymbolicTensor preact = batchNorm(name + "_preact_bn").apply(x);
        preact = new Activation("relu").name(name + "_preact_relu").apply(preact);
        SymbolicTensor shortcut;
        if (convShortcut) {
            shortcut = new Conv2D(4 * filters, 1).strides(stride).name(name + "_0_conv").apply(preact);
        } else {
            shortcut = stride > 1 ? new MaxPooling2D(1).strides(stride).apply(x) : x;
        }
        SymbolicTensor y = new Conv2D(filters, 1).useBias(false).name(name + "_1_conv").apply(preact);
        y = batchNorm(name + "_1_bn").apply(y);
        y = new Activation("relu").name(name + "_1_relu").apply(y);

        y = new ZeroPadding2D(1).name(name + "_2_pad").apply(y);
        y = new Conv2D(filters, 3).strides(stride).useBias(false).name(name + "_2_conv").apply(y);
        y = batchNorm(name + "_2_bn").apply(y);
        y = new Activation("relu").name(name + "_2_relu").apply(y);

        y = new Conv2D(4 * filters, 1).name(name + "_3_conv").apply(y);
        return new Add().name(name + "_out").apply(shortcut, y);
    }

    private static Layer batchNorm(String name) {
        return new BatchNormalization().epsilon(BN_EPSILON).name(name);
    }
}
