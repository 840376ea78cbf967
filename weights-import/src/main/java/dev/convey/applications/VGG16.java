package dev.convey.applications;

import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.MaxPooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' {@code keras.applications.VGG16} (Simonyan and Zisserman, "Very Deep Convolutional Networks for
 * Large-Scale Image Recognition", 2014): five blocks of 3x3 "same" convolutions with ReLU, each followed by a 2x2
 * max pooling that halves the image, then three fully connected layers.
 * <pre>
 *   block1  2 x conv 64    pool     224 -> 112
 *   block2  2 x conv 128   pool     112 -> 56
 *   block3  3 x conv 256   pool      56 -> 28
 *   block4  3 x conv 512   pool      28 -> 14
 *   block5  3 x conv 512   pool      14 -> 7
 *   top     flatten (7*7*512 = 25088), fc1 4096 relu, fc2 4096 relu, predictions 1000 softmax
 * </pre>
 * Layer names, order and shapes are Keras', so Keras weight files load by order and by name. Inputs are
 * preprocessed with {@link ImageNet#preprocessInput} (caffe: BGR, mean subtracted).
 */
public final class VGG16 {

    static final Pretrained WEIGHTS = new Pretrained(
            "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/",
            "vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b",
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc");

    /** Filters of each block's convolutions, and how many convolutions each block has. */
    private static final int[] BLOCK_FILTERS = {64, 128, 256, 512, 512};
    private static final int[] BLOCK_CONVOLUTIONS = {2, 2, 3, 3, 3};
    private static final int FULLY_CONNECTED_UNITS = 4096;

    private VGG16() {
    }

    /** Keras' {@code VGG16(include_top, weights, input_shape, pooling, classes)}; inputShape null for the default. */
    public static Model create(boolean includeTop, String weights, int[] inputShape, String pooling, int classes) {
        return create(new ApplicationOptions().includeTop(includeTop).weights(weights).inputShape(inputShape)
                .pooling(pooling).classes(classes));
    }

    /** VGG16 with the given options ({@code new ApplicationOptions()} gives Keras' defaults: the ImageNet classifier). */
    public static Model create(ApplicationOptions options) {
        int[] inputShape = options.validate("VGG16");
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = input;
        for (int block = 1; block <= BLOCK_FILTERS.length; block++) {
            int filters = options.width(BLOCK_FILTERS[block - 1]);
            for (int conv = 1; conv <= BLOCK_CONVOLUTIONS[block - 1]; conv++) {
                x = new Conv2D(filters, 3).padding("same").activation("relu")
                        .name("block" + block + "_conv" + conv).apply(x);
            }
            x = new MaxPooling2D(2).strides(2).name("block" + block + "_pool").apply(x);
        }
        if (options.includeTop()) {
            int units = options.width(FULLY_CONNECTED_UNITS);
            x = new Flatten().name("flatten").apply(x);
            x = new Dense(units).activation("relu").name("fc1").apply(x);
            x = new Dense(units).activation("relu").name("fc2").apply(x);
            x = new Dense(options.classes()).activation(options.classifierActivation()).name("predictions").apply(x);
        } else {
            // Keras leaves these two unnamed: global_average_pooling2d / global_max_pooling2d.
            x = options.applyPooling(x, null, null);
        }
        Model model = new Model(input, x, "vgg16");
        WEIGHTS.load(model, options);
        return model;
    }
}
