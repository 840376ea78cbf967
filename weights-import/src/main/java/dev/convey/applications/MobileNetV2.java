package dev.convey.applications;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.ReLU;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' {@code keras.applications.MobileNetV2} (Sandler et al., "MobileNetV2: Inverted Residuals and Linear
 * Bottlenecks", 2018), as Keras 3's {@code mobilenet_v2.py} builds it:
 * <pre>
 *   Conv1            3x3/2 conv, make_divisible(32 * alpha, 8) filters, BN (eps 1e-3, momentum 0.999), ReLU(6)
 *   17 inverted residual blocks (expansion t, filters c, stride s):
 *     block_N_expand 1x1 conv to t * in channels, BN, ReLU6     (not in block 0, "expanded_conv_")
 *     [block_N_pad]  ZeroPadding2D(correct_pad) before a stride-2 depthwise conv
 *     _depthwise     3x3 depthwise conv, BN, ReLU6
 *     _project       1x1 conv to make_divisible(c * alpha, 8), BN (linear), + input (_add) when shapes allow
 *   Conv_1           1x1 conv 1280 (make_divisible(1280 * alpha, 8) for alpha > 1), BN, ReLU6 (out_relu)
 *   top              GlobalAveragePooling2D, Dense predictions
 * </pre>
 * Preprocessing: 'tf' mode (x / 127.5 - 1).
 */
public final class MobileNetV2 {

    static final String BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/";
    private static final int[] SIZES = {96, 128, 160, 192, 224};
    private static final double[] ALPHAS = {0.35, 0.5, 0.75, 1.0, 1.3, 1.4};
    /** Per block 0..16: expansion, filters, stride. */
    private static final int[][] BLOCKS = {
        {1, 16, 1},
        {6, 24, 2}, {6, 24, 1},
        {6, 32, 2}, {6, 32, 1}, {6, 32, 1},
        {6, 64, 2}, {6, 64, 1}, {6, 64, 1}, {6, 64, 1},
        {6, 96, 1}, {6, 96, 1}, {6, 96, 1},
        {6, 160, 2}, {6, 160, 1}, {6, 160, 1},
        {6, 320, 1},
    };

    private MobileNetV2() {
    }

    public static Model create(ApplicationOptions options) {
        int[] inputShape = options.validate("MobileNetV2", MobileNet.defaultSize(options, SIZES), 32);
        double alpha = options.alpha();
        int rows = inputShape[0];
        if (options.imagenetWeights()) {
            if (!MobileNet.contains(ALPHAS, alpha)) {
                throw new IllegalArgumentException("MobileNetV2: with weights \"imagenet\" alpha must be one of 0.35,"
                        + " 0.5, 0.75, 1.0, 1.3, 1.4, got " + alpha);
            }
            if (inputShape[0] != inputShape[1] || !MobileNet.contains(SIZES, inputShape[0])) {
                rows = 224;
            }
        }
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = new Conv2D(makeDivisible(32 * alpha, 8), 3).strides(2).padding("same").useBias(false)
                .name("Conv1").apply(input);
        x = batchNorm("bn_Conv1").apply(x);
        x = new ReLU(6f).name("Conv1_relu").apply(x);
        int channels = makeDivisible(32 * alpha, 8);
        for (int id = 0; id < BLOCKS.length; id++) {
            int filters = makeDivisible((int) (BLOCKS[id][1] * alpha), 8);
            x = invertedResidual(x, channels, BLOCKS[id][0], BLOCKS[id][2], filters, id);
            channels = filters;
        }
        int last = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
        x = new Conv2D(last, 1).useBias(false).name("Conv_1").apply(x);
        x = batchNorm("Conv_1_bn").apply(x);
        x = new ReLU(6f).name("out_relu").apply(x);
        if (options.includeTop()) {
            x = new GlobalAveragePooling2D().apply(x);
            x = new Dense(options.classes()).activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            x = options.applyPooling(x, null, null);
        }
        String name = String.format(Locale.ROOT, "mobilenetv2_%.2f_%s", alpha, rows < 0 ? "None" : String.valueOf(rows));
        Model model = new Model(input, x, name);
        weights(alpha, rows).load(model, options);
        return model;
    }

    /** Keras' {@code _inverted_res_block}. */
    private static SymbolicTensor invertedResidual(SymbolicTensor inputs, int inChannels, int expansion, int stride,
                                                   int filters, int id) {
        String prefix = "block_" + id + "_";
        SymbolicTensor x = inputs;
        if (id > 0) {
            x = new Conv2D(expansion * inChannels, 1).padding("same").useBias(false).name(prefix + "expand").apply(x);
            x = batchNorm(prefix + "expand_BN").apply(x);
            x = new ReLU(6f).name(prefix + "expand_relu").apply(x);
        } else {
            prefix = "expanded_conv_";
        }
        if (stride == 2) {
            x = new ZeroPadding2D(ImageNet.correctPad(x.shape(), 3)).name(prefix + "pad").apply(x);
        }
        x = new DepthwiseConv2D(3).strides(stride).useBias(false).padding(stride == 1 ? "same" : "valid")
                .name(prefix + "depthwise").apply(x);
        x = batchNorm(prefix + "depthwise_BN").apply(x);
        x = new ReLU(6f).name(prefix + "depthwise_relu").apply(x);
        x = new Conv2D(filters, 1).padding("same").useBias(false).name(prefix + "project").apply(x);
        x = batchNorm(prefix + "project_BN").apply(x);
        if (inChannels == filters && stride == 1) {
            return new Add().name(prefix + "add").apply(inputs, x);
        }
        return x;
    }

    /** Keras' {@code _make_divisible(v, divisor)}: v rounded to a multiple of divisor, never below 90 % of v. */
    static int makeDivisible(double v, int divisor) {
        int newV = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v) {
            newV += divisor;
        }
        return newV;
    }

    private static Layer batchNorm(String name) {
        return new BatchNormalization().epsilon(1e-3).momentum(0.999).name(name);
    }

    /** {@code mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224[_no_top].h5} (Keras publishes no MD5). */
    static Pretrained weights(double alpha, int rows) {
        String stem = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_" + alpha + "_" + rows;
        return new Pretrained(BASE_URL, stem + ".h5", null, stem + "_no_top.h5", null);
    }

    static List<Applications.WeightsEntry> weightsEntries() {
        List<Applications.WeightsEntry> out = new ArrayList<>();
        for (double alpha : ALPHAS) {
            for (int rows : SIZES) {
                Pretrained p = weights(alpha, rows);
                out.add(new Applications.WeightsEntry(p.topFile(), BASE_URL + p.topFile(), null));
                out.add(new Applications.WeightsEntry(p.noTopFile(), BASE_URL + p.noTopFile(), null));
            }
        }
        return out;
    }
}
