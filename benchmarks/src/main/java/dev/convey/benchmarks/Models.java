package dev.convey.benchmarks;

import java.util.function.ToLongFunction;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.Applications;
import dev.convey.applications.ImageNet;
import dev.convey.applications.SyntheticWeights;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * The full-size models the suite measures, at their default input sizes (224 x 224 for most; 299 for Xception and
 * InceptionV3, 240 to 600 for EfficientNetB1-B7) with the deterministic synthetic weights of
 * SYNTHETIC_WEIGHTS.md, so that no weight file (and no download) is needed. Timing does not depend on the weight
 * values, only on the shapes; the synthetic values merely keep activations at realistic magnitudes (no denormals,
 * no overflow).
 */
final class Models {

    static final String VGG16_NAME = "vgg16";
    static final String RESNET50_NAME = "resnet50";
    static final String MOBILENET_NAME = "mobilenet";
    static final String MOBILENET_V2_NAME = "mobilenet_v2";
    // EfficientNetB0 (0.39 GMAC, depthwise and squeeze-and-excitation) and DenseNet121 (2.83 GMAC, concatenations).
    static final String EFFICIENTNET_B0_NAME = "efficientnet_b0";
    static final String DENSENET121_NAME = "densenet121";
    // EfficientNetB1-B7 at their own sizes (240, 260, 300, 380, 456, 528, 600), DenseNet169/201 at 224
    static final String EFFICIENTNET_B1_NAME = "efficientnet_b1";
    static final String EFFICIENTNET_B2_NAME = "efficientnet_b2";
    static final String EFFICIENTNET_B3_NAME = "efficientnet_b3";
    static final String EFFICIENTNET_B4_NAME = "efficientnet_b4";
    static final String EFFICIENTNET_B5_NAME = "efficientnet_b5";
    static final String EFFICIENTNET_B6_NAME = "efficientnet_b6";
    static final String EFFICIENTNET_B7_NAME = "efficientnet_b7";
    static final String DENSENET169_NAME = "densenet169";
    static final String DENSENET201_NAME = "densenet201";
    // Xception, InceptionV3 (299 x 299 with the top), VGG19 and the ResNet family
    static final String XCEPTION_NAME = "xception";
    static final String INCEPTION_V3_NAME = "inception_v3";
    static final String VGG19_NAME = "vgg19";
    static final String RESNET101_NAME = "resnet101";
    static final String RESNET152_NAME = "resnet152";
    static final String RESNET50_V2_NAME = "resnet50v2";
    static final String RESNET101_V2_NAME = "resnet101v2";
    static final String RESNET152_V2_NAME = "resnet152v2";
    static final int IMAGE_SIZE = 224;

    /** Classes of the new head in the transfer-learning benchmarks (a typical small fine-tuning task). */
    static final int HEAD_CLASSES = 10;

    private Models() {
    }

    /** The ImageNet classifier (with the top) with synthetic weights. */
    static Model classifier(String name) {
        return classifier(name, true);
    }

    /** The ImageNet classifier with synthetic weights, or with Keras' random initialisation. */
    static Model classifier(String name, boolean syntheticWeights) {
        Model model = create(name, new ApplicationOptions().weights(null));
        if (syntheticWeights) {
            SyntheticWeights.fill(model, SyntheticWeights.FIXTURE_SEED);
        }
        return model;
    }

    /**
     * The transfer-learning model of Keras' tutorials: the convolutional base (no top) with synthetic weights,
     * then a new head, GlobalAveragePooling2D + Dense(10, softmax):
     * <pre>
     *   base = VGG16(include_top=False, input_shape=(224, 224, 3)); base.trainable = baseTrainable
     *   y = Dense(10, activation="softmax")(GlobalAveragePooling2D()(base(x)))
     * </pre>
     */
    static Model withNewHead(String name, boolean baseTrainable) {
        return withNewHead(name, baseTrainable, true);
    }

    /** The same, with the base's synthetic weights or Keras' random initialisation (for its shapes only). */
    static Model withNewHead(String name, boolean baseTrainable, boolean syntheticWeights) {
        Model base = base(name);
        if (syntheticWeights) {
            SyntheticWeights.fill(base, SyntheticWeights.FIXTURE_SEED);
        }
        base.setTrainable(baseTrainable);
        SymbolicTensor x = Input.of(IMAGE_SIZE, IMAGE_SIZE, 3);
        SymbolicTensor y = base.apply(x);
        y = new GlobalAveragePooling2D().apply(y);
        y = new Dense(HEAD_CLASSES).activation("softmax").apply(y);
        return new Model(x, y, name + "_transfer");
    }

    /** The convolutional base at 224 x 224 with Keras' random initialisation (for its shapes only). */
    static Model base(String name) {
        return create(name, new ApplicationOptions().weights(null).includeTop(false).inputShape(IMAGE_SIZE, IMAGE_SIZE, 3));
    }

    private static Model create(String name, ApplicationOptions options) {
        return Applications.get(name).create(options);
    }

    /** {@code batch} synthetic 224 x 224 RGB images, caffe-preprocessed as the models expect. */
    static Tensor images(int batch) {
        return ImageNet.preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, batch, IMAGE_SIZE, IMAGE_SIZE));
    }

    /**
     * {@code batch} synthetic RGB images of the classifier's input size (299 x 299 for Xception and InceptionV3),
     * preprocessed as application {@code name} expects.
     */
    static Tensor images(String name, Model classifier, int batch) {
        int[] hwc = classifier.input().shape();
        return Applications.get(name).preprocessInput(
                SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, batch, hwc[0], hwc[1]));
    }

    /** One-hot labels for {@code batch} samples of the new head, cycling through its classes. */
    static Tensor oneHotLabels(int batch) {
        Tensor y = Tensor.zeros(batch, HEAD_CLASSES);
        for (int n = 0; n < batch; n++) {
            y.set(1f, n, n % HEAD_CLASSES);
        }
        return y;
    }

    /**
     * Multiply-accumulates of one image through {@code model}'s convolutions and dense layers (nested models
     * included). Both are "kernel applied at every output position":
     * <pre>
     *   Conv2D  MACs = outH * outW * (kh * kw * in * out)
     *   Dense   MACs = 1 * (in * out)
     *   DepthwiseConv2D  MACs = outH * outW * (kh * kw * in * multiplier)
     *   SeparableConv2D  MACs = outH * outW * (kh * kw * in * multiplier + in * multiplier * out)
     * </pre>
     * i.e. (output elements / output channels) * kernel elements (both kernels of a separable convolution). Pooling, BN, activations and additions are a
     * few operations per element and are not counted, as in the published GMAC figures.
     */
    static long macsPerImage(Layer model) {
        return sumOverLayers(model, layer -> {
            if (!isConvOrDense(layer)) {
                return 0;
            }
            int[] out = layer.build(layer.inputShapes());   // built already: its output shape
            long kernelElements = 0;
            for (Parameter p : layer.weights()) {
                kernelElements += p.name().endsWith("kernel") ? p.value().size() : 0;   // not the bias
            }
            return Shapes.size(out) / out[out.length - 1] * kernelElements;
        });
    }

    /**
     * The bytes one image's forward pass must move at least: every convolution (depthwise and separable ones
     * included) and dense layer reads its input once and writes its output once, float32, with batch norms,
     * activations and residual additions fused into it (so they move nothing of their own), and pooling,
     * concatenation and the squeeze-and-excitation products are not counted. Divided by the copy bandwidth it
     * is a floor under the time of a memory-bound model such as MobileNetV2 or EfficientNet, where depthwise
     * convolutions do a few multiply-adds per byte.
     */
    static long activationBytesPerImage(Layer model) {
        return sumOverLayers(model, layer -> {
            int[][] in = layer.inputShapes();
            return isConvOrDense(layer) ? 4L * (Shapes.size(in[0]) + Shapes.size(layer.build(in))) : 0;
        });
    }

    /** The bytes of all of {@code model}'s weights (float32), read once per batch. */
    static long weightBytes(Layer model) {
        return sumOverLayers(model, layer -> {
            long floats = 0;
            for (Parameter p : layer.weights()) {
                floats += p.value().size();
            }
            return 4 * floats;
        });
    }

    /** The sum of {@code perLayer} over the layers of {@code model} that hold no layers, nested models opened. */
    private static long sumOverLayers(Layer model, ToLongFunction<Layer> perLayer) {
        long total = 0;
        for (Layer layer : model.sublayers()) {
            total += layer.sublayers().isEmpty() ? perLayer.applyAsLong(layer) : sumOverLayers(layer, perLayer);
        }
        return total;
    }

    /** By Keras class name: the layers whose work is a kernel applied at every output position. */
    private static boolean isConvOrDense(Layer layer) {
        return layer.className().equals("Conv2D") || layer.className().equals("Dense")
                || layer.className().equals("DepthwiseConv2D") || layer.className().equals("SeparableConv2D");
    }

    /** The bytes of the weights of {@code model}'s Dense layers (float32 kernels and biases). */
    static long denseWeightBytes(Model model) {
        long floats = 0;
        for (Layer layer : model.layers()) {
            if (layer.className().equals("Dense")) {
                for (Parameter p : layer.weights()) {
                    floats += p.value().size();
                }
            }
        }
        return 4 * floats;
    }
}
