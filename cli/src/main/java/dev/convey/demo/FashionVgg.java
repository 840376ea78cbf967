package dev.convey.demo;

import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.MaxPooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * The demo's network: a small VGG for 28x28 grayscale Fashion-MNIST images, two of VGG16's blocks at a fraction
 * of the width, with VGG16's layer names so that the fine-tuning code reads as it would for VGG16.
 * <pre>
 *   input (28, 28, 1)
 *   block1_conv1, block1_conv2   Conv2D 16 filters 3x3 same relu    (28, 28, 16)
 *   block1_pool                  MaxPooling2D 2x2                   (14, 14, 16)
 *   block2_conv1, block2_conv2   Conv2D 32 filters 3x3 same relu    (14, 14, 32)
 *   block2_pool                  MaxPooling2D 2x2                   (7, 7, 32)
 *   -- head --
 *   flatten                      Flatten                            (1568)
 *   predictions                  Dense 5 softmax                    (5)
 * </pre>
 * The base (without the head) has 16 368 weights; saved as a Keras HDF5 model it is about 90 KB.
 */
public final class FashionVgg {

    /** Images are 28x28 with one channel. */
    public static final int[] INPUT_SHAPE = {28, 28, 1};
    /** Filters of block 1 and block 2 (VGG16 has 64 and 128). */
    static final int[] FILTERS = {16, 32};
    /** The base's last layer: the head goes on top of it. */
    public static final String BASE_OUTPUT = "block2_pool";
    /** The last layer of the first block: fine-tuning unfreezes everything after it. */
    public static final String LAST_FROZEN_WHEN_FINE_TUNING = "block1_pool";

    private FashionVgg() {
    }

    /** The convolutional base, Keras' {@code VGG16(include_top=False)} in miniature, with fresh weights. */
    public static Model base() {
        SymbolicTensor input = Input.of("input", INPUT_SHAPE);
        SymbolicTensor x = input;
        for (int block = 1; block <= FILTERS.length; block++) {
            for (int conv = 1; conv <= 2; conv++) {
                x = new Conv2D(FILTERS[block - 1], 3).padding("same").activation("relu")
                        .name("block" + block + "_conv" + conv).apply(x);
            }
            x = new MaxPooling2D(2).name("block" + block + "_pool").apply(x);
        }
        return new Model(input, x, "fashion_vgg_base");
    }

    /**
     * A classifier with {@code base} nested inside it as one layer (Keras' transfer-learning recipe
     * {@code x = base(inputs); x = Flatten()(x); outputs = Dense(n, activation="softmax")(x)}): freezing the base
     * is {@code base.setTrainable(false)}.
     */
    public static Model classifier(Model base, int classes, String name) {
        SymbolicTensor input = Input.of("image", INPUT_SHAPE);
        SymbolicTensor features = base.apply(input);
        SymbolicTensor flat = new Flatten().name("flatten").apply(features);
        SymbolicTensor predictions = new Dense(classes).activation("softmax").name("predictions").apply(flat);
        return new Model(input, predictions, name);
    }
}
