package dev.convey.applications;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Dropout;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Multiply;
import dev.convey.layers.Normalization;
import dev.convey.layers.Rescaling;
import dev.convey.layers.Reshape;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' {@code keras.applications.EfficientNetB0} ... {@code B7} (Tan and Le, "EfficientNet: Rethinking Model
 * Scaling for Convolutional Neural Networks", 2019), as Keras 3's {@code efficientnet.py} builds them:
 * <pre>
 *   preprocessing  Rescaling(1/255) ("rescaling"), Normalization ("normalization": ImageNet mean and variance,
 *                  from the weights), and with weights "imagenet" Rescaling(1 / sqrt(stddev)) per channel
 *                  ("rescaling_1": Keras divides by the variance, as the original implementation did)
 *   stem           ZeroPadding2D(correct_pad), 3x3/2 conv round_filters(32), BN, swish
 *   7 stages of MBConv blocks "block{stage}{a, b, ...}_" (kernel, repeats, in, out, expansion, stride):
 *     expand_conv    1x1 conv to in * expansion, BN, swish             (not when expansion is 1)
 *     [dwconv_pad]   ZeroPadding2D(correct_pad) before a stride-2 depthwise conv
 *     dwconv         k x k depthwise conv, BN (bn), swish (activation)
 *     se_            squeeze and excitation: GlobalAveragePooling2D, Reshape (1, 1, C), 1x1 conv to
 *                    max(1, int(in * 0.25)) with swish, 1x1 conv back to C with sigmoid, Multiply (se_excite)
 *     project_conv   1x1 conv to out, BN (linear); when stride 1 and in == out: Dropout(drop_rate,
 *                    noise_shape (None, 1, 1, 1)) (drop: stochastic depth, rate 0.2 * block / blocks) and Add
 *   top            1x1 conv round_filters(1280), BN, swish; GlobalAveragePooling2D (avg_pool), Dropout
 *                  (top_dropout), Dense predictions
 * </pre>
 * B0..B7 scale the widths by {@code round_filters} (channels times the width coefficient, rounded to a multiple
 * of 8, never below 90 %) and the repeats by {@code round_repeats} (ceil of repeats times the depth coefficient).
 * Preprocessing is inside the model: {@code preprocess_input} is the identity (mode {@code none}); the model takes
 * RGB pixels in [0, 255].
 */
public final class EfficientNet {

    static final String BASE_URL = "https://storage.googleapis.com/keras-applications/";

    /** Per size B0..B7: width coefficient, depth coefficient, default input size, dropout rate (Keras' calls). */
    private static final double[][] SCALING = {
        {1.0, 1.0, 224, 0.2}, {1.0, 1.1, 240, 0.2}, {1.1, 1.2, 260, 0.3}, {1.2, 1.4, 300, 0.3},
        {1.4, 1.8, 380, 0.4}, {1.6, 2.2, 456, 0.4}, {1.8, 2.6, 528, 0.5}, {2.0, 3.1, 600, 0.5},
    };

    /** Keras' WEIGHTS_HASHES: the MD5 of efficientnetbN.h5 and efficientnetbN_notop.h5. */
    private static final String[][] WEIGHTS_HASHES = {
        {"902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"},
        {"1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"},
        {"b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"},
        {"ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"},
        {"18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"},
        {"ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"},
        {"165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"},
        {"8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"},
    };

    /**
     * Keras' DEFAULT_BLOCKS_ARGS, one stage per row: kernel size, repeats, filters in, filters out, expand ratio,
     * strides. Every stage has se_ratio 0.25 and id_skip true.
     */
    private static final int[][] BLOCKS = {
        {3, 1, 32, 16, 1, 1},
        {3, 2, 16, 24, 6, 2},
        {5, 2, 24, 40, 6, 2},
        {3, 3, 40, 80, 6, 2},
        {5, 3, 80, 112, 6, 1},
        {5, 4, 112, 192, 6, 2},
        {3, 1, 192, 320, 6, 1},
    };
    private static final double SE_RATIO = 0.25;
    private static final double DROP_CONNECT_RATE = 0.2;
    private static final int DEPTH_DIVISOR = 8;
    private static final String ACTIVATION = "swish";

    /** Keras' IMAGENET_STDDEV_RGB; the ImageNet mean and variance themselves come with the weights. */
    static final double[] IMAGENET_STDDEV_RGB = {0.229, 0.224, 0.225};

    /** The sizes B0..B7. */
    static final int SIZES = SCALING.length;

    private EfficientNet() {
    }

    /** Keras' {@code EfficientNetB<size>(...)}: size 0..7. */
    public static Model create(int size, ApplicationOptions options) {
        Model model = build(size, options, options.imagenetWeights());
        weights(size).load(model, options);
        return model;
    }

    /**
     * The architecture without loading weights; {@code imagenetRescaling} adds Keras' third layer (built only with
     * weights "imagenet").
     */
    static Model build(int size, ApplicationOptions options, boolean imagenetRescaling) {
        checkSize(size);
        String name = "efficientnetb" + size;
        double width = SCALING[size][0];
        double depth = SCALING[size][1];
        if (options.widthDivisor() != 1) {
            throw new IllegalArgumentException("EfficientNetB" + size + ": widthDivisor is not supported (its widths are"
                    + " round_filters' multiples of 8), got " + options.widthDivisor());
        }
        int[] inputShape = options.validate("EfficientNetB" + size, (int) SCALING[size][2], 32);
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = new Rescaling(1.0 / 255.0).name("rescaling").apply(input);
        x = new Normalization().name("normalization").apply(x);
        if (imagenetRescaling) {
            double[] scale = new double[IMAGENET_STDDEV_RGB.length];
            for (int c = 0; c < scale.length; c++) {
                scale[c] = 1.0 / Math.sqrt(IMAGENET_STDDEV_RGB[c]);
            }
            x = new Rescaling(scale, 0).name("rescaling_1").apply(x);
        }
        x = new ZeroPadding2D(ImageNet.correctPad(x.shape(), 3)).name("stem_conv_pad").apply(x);
        x = new Conv2D(roundFilters(32, width), 3).strides(2).padding("valid").useBias(false).name("stem_conv").apply(x);
        x = new BatchNormalization().name("stem_bn").apply(x);
        x = new Activation(ACTIVATION).name("stem_activation").apply(x);

        int blocks = 0;
        for (int[] stage : BLOCKS) {
            blocks += roundRepeats(stage[1], depth);
        }
        int b = 0;
        for (int i = 0; i < BLOCKS.length; i++) {
            int[] stage = BLOCKS[i];
            int filtersIn = roundFilters(stage[2], width);
            int filtersOut = roundFilters(stage[3], width);
            int strides = stage[5];
            for (int j = 0; j < roundRepeats(stage[1], depth); j++) {
                String prefix = "block" + (i + 1) + (char) ('a' + j) + "_";
                x = block(x, DROP_CONNECT_RATE * b / blocks, prefix, j == 0 ? filtersIn : filtersOut, filtersOut,
                        stage[0], j == 0 ? strides : 1, stage[4]);
                b++;
            }
        }

        x = new Conv2D(roundFilters(1280, width), 1).padding("same").useBias(false).name("top_conv").apply(x);
        x = new BatchNormalization().name("top_bn").apply(x);
        x = new Activation(ACTIVATION).name("top_activation").apply(x);
        if (options.includeTop()) {
            x = new GlobalAveragePooling2D().name("avg_pool").apply(x);
            double dropout = options.dropoutOr(SCALING[size][3]);
            if (dropout > 0) {
                x = new Dropout(dropout).name("top_dropout").apply(x);
            }
            x = new Dense(options.classes()).activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            x = options.applyPooling(x, "avg_pool", "max_pool");
        }
        return new Model(input, x, name);
    }

    /** Keras' {@code block}: an inverted residual (MBConv) block with squeeze and excitation. */
    private static SymbolicTensor block(SymbolicTensor inputs, double dropRate, String name, int filtersIn,
                                        int filtersOut, int kernelSize, int strides, int expandRatio) {
        int filters = filtersIn * expandRatio;
        SymbolicTensor x = inputs;
        if (expandRatio != 1) {
            x = new Conv2D(filters, 1).padding("same").useBias(false).name(name + "expand_conv").apply(x);
            x = new BatchNormalization().name(name + "expand_bn").apply(x);
            x = new Activation(ACTIVATION).name(name + "expand_activation").apply(x);
        }
        String padding = "same";
        if (strides == 2) {
            x = new ZeroPadding2D(ImageNet.correctPad(x.shape(), kernelSize)).name(name + "dwconv_pad").apply(x);
            padding = "valid";
        }
        x = new DepthwiseConv2D(kernelSize).strides(strides).padding(padding).useBias(false).name(name + "dwconv")
                .apply(x);
        x = new BatchNormalization().name(name + "bn").apply(x);
        x = new Activation(ACTIVATION).name(name + "activation").apply(x);

        int filtersSe = Math.max(1, (int) (filtersIn * SE_RATIO));
        SymbolicTensor se = new GlobalAveragePooling2D().name(name + "se_squeeze").apply(x);
        se = new Reshape(1, 1, filters).name(name + "se_reshape").apply(se);
        se = new Conv2D(filtersSe, 1).padding("same").activation(ACTIVATION).name(name + "se_reduce").apply(se);
        se = new Conv2D(filters, 1).padding("same").activation("sigmoid").name(name + "se_expand").apply(se);
        x = new Multiply().name(name + "se_excite").apply(x, se);

        x = new Conv2D(filtersOut, 1).padding("same").useBias(false).name(name + "project_conv").apply(x);
        x = new BatchNormalization().name(name + "project_bn").apply(x);
        if (strides == 1 && filtersIn == filtersOut) {
            if (dropRate > 0) {
                x = new Dropout(dropRate).noiseShape(-1, 1, 1, 1).name(name + "drop").apply(x);
            }
            x = new Add().name(name + "add").apply(x, inputs);
        }
        return x;
    }

    /**
     * Keras' {@code round_filters}: filters times the width coefficient, rounded to a multiple of 8 and never below
     * 90 % of it; the same rounding as MobileNetV2's {@code _make_divisible}.
     */
    static int roundFilters(int filters, double widthCoefficient) {
        return MobileNetV2.makeDivisible(filters * widthCoefficient, DEPTH_DIVISOR);
    }

    /** Keras' {@code round_repeats}: ceil(depth coefficient * repeats). */
    static int roundRepeats(int repeats, double depthCoefficient) {
        return (int) Math.ceil(depthCoefficient * repeats);
    }

    /** {@code efficientnetbN.h5} and {@code efficientnetbN_notop.h5} with the MD5 hashes of Keras' WEIGHTS_HASHES. */
    static Pretrained weights(int size) {
        checkSize(size);
        String stem = "efficientnetb" + size;
        return new Pretrained(BASE_URL, stem + ".h5", WEIGHTS_HASHES[size][0], stem + "_notop.h5",
                WEIGHTS_HASHES[size][1]);
    }

    private static void checkSize(int size) {
        if (size < 0 || size >= SIZES) {
            throw new IllegalArgumentException("EfficientNet size must be 0..7 (B0..B7), got " + size);
        }
    }
}
