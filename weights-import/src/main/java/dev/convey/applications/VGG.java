package dev.convey.applications;

import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.MaxPooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * Keras' VGG networks (Simonyan and Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", 2014), as {@code keras/src/applications/vgg16.py} and {@code vgg19.py} build them: five blocks of
 * 3x3 "same" convolutions with ReLU, each followed by a 2x2 max pooling that halves the image, then three fully
 * connected layers.
 * <pre>
 *                      VGG16   VGG19
 *   block1  conv 64      2       2     pool   224 -> 112
 *   block2  conv 128     2       2     pool   112 -> 56
 *   block3  conv 256     3       4     pool    56 -> 28
 *   block4  conv 512     3       4     pool    28 -> 14
 *   block5  conv 512     3       4     pool    14 -> 7
 *   top     flatten (7*7*512 = 25088), fc1 4096 relu, fc2 4096 relu, predictions 1000 softmax
 * </pre>
 * Layer names, order and shapes are Keras', so Keras weight files load by order and by name. Inputs are
 * preprocessed with {@link ImageNet#preprocessInput} (caffe: BGR, mean subtracted).
 */
final class VGG {

    /** Filters of each block's convolutions. */
    private static final int[] BLOCK_FILTERS = {64, 128, 256, 512, 512};
    private static final int FULLY_CONNECTED_UNITS = 4096;

    private VGG() {
    }

    /** The VGG with {@code convolutions[b]} convolutions in block b + 1; the model is named after kerasName (vgg16). */
    static Model create(ApplicationOptions options, String kerasName, int[] convolutions, Pretrained weights) {
        int[] inputShape = options.validate(kerasName);
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = input;
        for (int block = 1; block <= BLOCK_FILTERS.length; block++) {
            int filters = options.width(BLOCK_FILTERS[block - 1]);
            for (int conv = 1; conv <= convolutions[block - 1]; conv++) {
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
        Model model = new Model(input, x, kerasName.toLowerCase(java.util.Locale.ROOT));
        weights.load(model, options);
        return model;
    }
}
