package dev.convey.applications;

import java.util.Locale;

import dev.convey.layers.Activation;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Dropout;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.ReLU;
import dev.convey.layers.Reshape;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' {@code keras.applications.MobileNet} (Howard et al., "MobileNets: Efficient Convolutional Neural Networks
 * for Mobile Vision Applications", 2017), as Keras 3's {@code mobilenet.py} builds it:
 * <pre>
 *   conv1         3x3/2 conv 32*alpha (no bias), BN, ReLU(6)                    224 -> 112
 *   conv_dw_N     [ZeroPadding (0,1),(0,1) if strided] 3x3 depthwise (no bias), BN, ReLU(6),
 *   conv_pw_N     1x1 conv (no bias), BN, ReLU(6)          13 blocks: 64, 128/2, 128, 256/2, 256, 512/2,
 *                                                          5 x 512, 1024/2, 1024 (filters * alpha)     -> 7
 *   top           GlobalAveragePooling2D(keepdims), Dropout, 1x1 conv_preds (classes), Reshape, softmax
 * </pre>
 * {@code alpha} scales every width ({@code int(filters * alpha)}), {@code depthMultiplier} the depthwise outputs;
 * preprocessing is 'tf' mode (x / 127.5 - 1). ImageNet weights: alpha 0.25, 0.5, 0.75, 1.0 at 128, 160, 192 or 224
 * pixels (Keras publishes no MD5 for them).
 */
public final class MobileNet {

    static final String BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/";
    private static final int[] SIZES = {128, 160, 192, 224};
    private static final double[] ALPHAS = {0.25, 0.5, 0.75, 1.0};
    /** Pointwise filters of blocks 1..13 (before alpha), and which blocks stride 2. */
    private static final int[] FILTERS = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    private static final boolean[] STRIDED = {false, true, false, true, false, true, false, false, false, false,
            false, true, false};

    private MobileNet() {
    }

    /** MobileNet with the given options (alpha, depthMultiplier, dropout, and the common ones). */
    public static Model create(ApplicationOptions options) {
        int[] inputShape = options.validate("MobileNet", defaultSize(options, SIZES), 32);
        double alpha = options.alpha();
        int rows = inputShape[0];
        if (options.imagenetWeights()) {
            if (options.depthMultiplier() != 1) {
                throw new IllegalArgumentException("MobileNet: with weights \"imagenet\" depthMultiplier must be 1, got "
                        + options.depthMultiplier());
            }
            if (!contains(ALPHAS, alpha)) {
                throw new IllegalArgumentException("MobileNet: with weights \"imagenet\" alpha must be 0.25, 0.5, 0.75 or"
                        + " 1.0, got " + alpha);
            }
            if (inputShape[0] != inputShape[1] || !contains(SIZES, inputShape[0])) {
                rows = 224;   // Keras warns and loads the 224 weights
            }
        }
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = new Conv2D(width(32, alpha), 3).padding("same").useBias(false).strides(2).name("conv1")
                .apply(input);
        x = new BatchNormalization().name("conv1_bn").apply(x);
        x = new ReLU(6f).name("conv1_relu").apply(x);
        for (int block = 1; block <= FILTERS.length; block++) {
            x = depthwiseBlock(x, width(FILTERS[block - 1], alpha), options.depthMultiplier(), STRIDED[block - 1], block);
        }
        if (options.includeTop()) {
            int classes = options.classes();
            x = new GlobalAveragePooling2D().keepdims(true).apply(x);
            x = new Dropout(options.dropoutOr(1e-3)).name("dropout").apply(x);
            x = new Conv2D(classes, 1).padding("same").name("conv_preds").apply(x);
            x = new Reshape(classes).name("reshape_2").apply(x);
            x = new Activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            x = options.applyPooling(x, null, null);
        }
        String name = String.format(Locale.ROOT, "mobilenet_%.2f_%s", alpha, rows < 0 ? "None" : String.valueOf(rows));
        Model model = new Model(input, x, name);
        weights(alpha, rows).load(model, options);
        return model;
    }

    /** Keras' {@code _depthwise_conv_block}: [pad] depthwise 3x3, BN, ReLU6, pointwise 1x1, BN, ReLU6. */
    private static SymbolicTensor depthwiseBlock(SymbolicTensor x, int pointwiseFilters, int depthMultiplier,
                                                 boolean strided, int block) {
        if (strided) {
            x = new ZeroPadding2D(new int[][] {{0, 1}, {0, 1}}).name("conv_pad_" + block).apply(x);
        }
        x = new DepthwiseConv2D(3).padding(strided ? "valid" : "same").depthMultiplier(depthMultiplier)
                .strides(strided ? 2 : 1).useBias(false).name("conv_dw_" + block).apply(x);
        x = new BatchNormalization().name("conv_dw_" + block + "_bn").apply(x);
        x = new ReLU(6f).name("conv_dw_" + block + "_relu").apply(x);
        x = new Conv2D(pointwiseFilters, 1).padding("same").useBias(false).name("conv_pw_" + block).apply(x);
        x = new BatchNormalization().name("conv_pw_" + block + "_bn").apply(x);
        return new ReLU(6f).name("conv_pw_" + block + "_relu").apply(x);
    }

    /** Keras' {@code int(filters * alpha)}. */
    static int width(int filters, double alpha) {
        return (int) (filters * alpha);
    }

    /** The official files for this alpha and size: {@code mobilenet_2_5_224_tf[_no_top].h5}. */
    static Pretrained weights(double alpha, int rows) {
        String alphaText = alpha == 1.0 ? "1_0" : alpha == 0.75 ? "7_5" : alpha == 0.5 ? "5_0" : "2_5";
        String stem = "mobilenet_" + alphaText + "_" + rows + "_tf";
        return new Pretrained(BASE_URL, stem + ".h5", null, stem + "_no_top.h5", null);
    }

    /** Keras' MobileNets' default_size: a given square input of a published size, else 224. */
    static int defaultSize(ApplicationOptions options, int[] sizes) {
        int[] given = options.inputShape();
        return given != null && given.length == 3 && given[0] == given[1] && contains(sizes, given[0]) ? given[0] : 224;
    }

    static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    static boolean contains(double[] values, double v) {
        for (double x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
