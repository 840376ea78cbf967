package dev.convey.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.convey.layers.Activation;
import dev.convey.layers.ActivationFunction;
import dev.convey.layers.Add;
import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.DepthwiseConv2D;
import dev.convey.layers.Dropout;
import dev.convey.layers.Flatten;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.GlobalMaxPooling2D;
import dev.convey.layers.InputLayer;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.Multiply;
import dev.convey.layers.Normalization;
import dev.convey.layers.Parameter;
import dev.convey.layers.ReLU;
import dev.convey.layers.Rescaling;
import dev.convey.layers.Reshape;
import dev.convey.layers.SeparableConv2D;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.Sequential;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;

/**
 * Every layer type, exported alone (after a convolution where the NCHW layout matters) and run in ONNX Runtime,
 * gives Convey's output to 1e-5 of its largest value. Weights and inputs are random, biases and batch
 * statistics included, so a wrongly ordered kernel, pad or axis shows.
 */
class LayerExportTest {

    /** A 7 x 9 image with 3 channels: odd sizes give "same" padding its asymmetric extra pixel. */
    private static final int H = 7;
    private static final int W = 9;
    private static final int C = 3;

    static Stream<Arguments> layers() {
        return Stream.of(
                model("conv2d_valid_relu", x -> new Conv2D(4, 3).activation("relu").apply(x)),
                model("conv2d_same_stride2_nobias", x -> new Conv2D(5, 3).strides(2).padding("same").useBias(false).apply(x)),
                model("conv2d_same_stride2_even_kernel", x -> new Conv2D(4, new int[] {2, 4}).strides(2, 3).padding("same").apply(x)),
                model("conv2d_dilated_same", x -> new Conv2D(4, new int[] {3, 2}).dilationRate(2, 1).padding("same").activation("tanh").apply(x)),
                model("conv2d_1x1_sigmoid", x -> new Conv2D(6, 1).activation("sigmoid").apply(x)),
                model("conv2d_softmax", x -> new Conv2D(6, 1).activation("softmax").apply(x)),
                model("dense_on_flatten_softmax", x -> new Dense(7).activation("softmax").apply(new Flatten().apply(conv(x)))),
                model("dense_nobias_tanh", x -> new Dense(5).useBias(false).activation("tanh").apply(new Flatten().apply(x))),
                model("dense_on_4d", x -> new Dense(5).activation("relu").apply(conv(x))),
                model("max_pooling_valid", x -> new MaxPooling2D(2).apply(conv(x))),
                model("max_pooling_same_stride2", x -> new MaxPooling2D(3).strides(2).padding("same").apply(conv(x))),
                model("average_pooling_valid", x -> new AveragePooling2D(new int[] {2, 3}).apply(conv(x))),
                model("average_pooling_same", x -> new AveragePooling2D(3).strides(1).padding("same").apply(conv(x))),
                model("average_pooling_same_stride2", x -> new AveragePooling2D(2).strides(2).padding("same").apply(conv(x))),
                model("global_average_pooling", x -> new GlobalAveragePooling2D().apply(conv(x))),
                model("global_max_pooling", x -> new GlobalMaxPooling2D().apply(conv(x))),
                model("global_average_pooling_keepdims", x -> new GlobalAveragePooling2D().keepdims(true).apply(conv(x))),
                model("batch_normalization", x -> new BatchNormalization().apply(conv(x))),
                model("batch_normalization_input", x -> new BatchNormalization().epsilon(0.01).apply(x)),
                model("batch_normalization_no_center_scale", x -> new BatchNormalization().center(false).scale(false).apply(conv(x))),
                model("batch_normalization_dense", x -> new BatchNormalization().apply(new Dense(6).apply(new Flatten().apply(x)))),
                model("activations", x -> new Activation("softmax").apply(new Activation("tanh").apply(
                        new Activation("sigmoid").apply(new Activation("relu").apply(new Activation("linear").apply(conv(x))))))),
                model("add_residual", x -> {
                    SymbolicTensor a = conv(x);
                    return new Add().apply(a, new Conv2D(4, 3).padding("same").apply(a), a);
                }),
                model("add_channels_last_input", x -> new Add().apply(x, new Conv2D(C, 1).apply(x))),
                model("concatenate_channels", x -> new Concatenate().apply(conv(x), x, new Conv2D(2, 1).apply(x))),
                model("concatenate_height", x -> new Concatenate(1).apply(conv(x), conv(x))),
                model("flatten_order", x -> new Flatten().apply(new Conv2D(4, 3).strides(2).apply(x))),
                model("zero_padding_asymmetric", x -> new ZeroPadding2D(new int[][] {{1, 2}, {3, 0}}).apply(conv(x))),
                model("zero_padding_then_valid_conv", x -> new Conv2D(3, 3).strides(2).apply(new ZeroPadding2D(new int[] {1, 2}).apply(x))),
                model("dropout", x -> new Dense(4).apply(new Dropout(0.5).apply(new Flatten().apply(conv(x))))),
                model("depthwise_conv2d_multiplier2_stride2_same", x -> new DepthwiseConv2D(3).depthMultiplier(2).strides(2).padding("same").apply(x)),
                model("depthwise_conv2d_dilated_relu6_nobias", x -> new DepthwiseConv2D(new int[] {3, 2}).dilationRate(2, 1).useBias(false)
                        .activation("relu6").apply(conv(x))),
                model("separable_conv2d_multiplier2_stride2_same", x -> new SeparableConv2D(5, 3).depthMultiplier(2).strides(2).padding("same").apply(x)),
                model("separable_conv2d_dilated_valid_nobias_tanh", x -> new SeparableConv2D(4, new int[] {3, 2}).dilationRate(2, 1).useBias(false)
                        .activation("tanh").apply(conv(x))),
                // ResNet V2's pool1: zeros padded around signed values win the max where a window's values are negative
                model("zero_padding_then_max_pooling_signed", x -> new MaxPooling2D(3).strides(2).apply(
                        new ZeroPadding2D(1).apply(new Conv2D(4, 3).padding("same").apply(x)))),
                model("relu_max_value", x -> new ReLU(0.5f).apply(conv(x))),
                model("relu_negative_slope", x -> new ReLU(null, 0.1f, 0f).apply(conv(x))),
                model("relu_threshold_slope_max", x -> new ReLU(1.5f, 0.2f, 0.3f).apply(new Conv2D(4, 3).apply(x))),
                model("reshape", x -> new Dense(3).apply(new Reshape(-1, 4).apply(new Conv2D(4, 3).apply(x)))),
                model("multiply_same_shape", x -> new Multiply().apply(conv(x), conv(x))),
                model("multiply_squeeze_excite", x -> {
                    SymbolicTensor a = conv(x);
                    SymbolicTensor scale = new Conv2D(4, 1).activation("sigmoid").apply(new GlobalAveragePooling2D().keepdims(true).apply(a));
                    return new Multiply().apply(a, scale);
                }),
                model("rescaling_normalization", x -> new Conv2D(2, 3).apply(new Normalization().apply(new Rescaling(1 / 127.5, -1).apply(x)))),
                nested());
    }

    static Stream<Arguments> activations() {
        return Stream.of(ActivationFunction.values()).map(f -> f.kerasName())
                .map(name -> model("activation_" + name, x -> new Activation(name).apply(new Conv2D(4, 3).apply(x))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void everyActivationMatchesConvey(String name, Model model) throws Exception {
        randomise(model, name.hashCode());
        // Gaussian images through a random 3x3 convolution reach both sides of every kink and the tails.
        Tensor x = input(2, H, W, C, 11);
        OrtRunner.assertMatchesConvey(model, x);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void exportedLayerMatchesConvey(String name, Model model) throws Exception {
        randomise(model, name.hashCode());
        OrtRunner.assertMatchesConvey(model, input(2, H, W, C, 7));
    }

    @Test
    void aModelWithTwoInputsBindsEachInputByPosition() throws Exception {
        SymbolicTensor a = Input.of(H, W, C);
        SymbolicTensor b = Input.of(H, W, 2);
        SymbolicTensor y = new Conv2D(4, 3).apply(new Concatenate().apply(b, new Conv2D(1, 1).apply(a)));
        Model model = new Model(List.of(a, b), y, "two_inputs");
        randomise(model, 3);
        OrtRunner.assertMatchesConvey(model, input(2, H, W, C, 1), input(2, H, W, 2, 2));
    }

    @Test
    void aSequentialModelAndASequentialHeadInsideAFunctionalModel() throws Exception {
        Sequential head = new Sequential("head", new Flatten(), new Dense(5).activation("softmax"));
        Sequential model = new Sequential("stack", new InputLayer(H, W, C), new Conv2D(4, 3).padding("same"),
                new MaxPooling2D(2), head);
        randomise(model, 5);
        OrtRunner.assertMatchesConvey(model, input(2, H, W, C, 5));
    }

    @Test
    void aLayerWithoutExporterIsNamedWithTheExportableOnes() {
        SymbolicTensor x = Input.of(H, W, C);
        Layer unknown = new Layer("mystery") {
            @Override
            protected int[] computeOutputShape(int[][] inputShapes) {
                return inputShapes[0];
            }

            @Override
            protected Tensor computeForward(Tensor[] inputs, boolean training) {
                return inputs[0];
            }

            @Override
            protected Tensor[] computeBackward(Tensor dOut, boolean[] needed, boolean weightGradients) {
                return new Tensor[] {dOut};
            }
        };
        Model model = new Model(x, unknown.apply(x), "custom");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(model));
        assertTrue(e.getMessage().contains("'mystery'") && e.getMessage().contains("Conv2D, "), e.getMessage());
    }

    // ---------------------------------------------------------------- models

    private static Arguments model(String name, Function<SymbolicTensor, SymbolicTensor> body) {
        SymbolicTensor x = Input.of(H, W, C);
        return Arguments.of(name, new Model(x, body.apply(x), name));
    }

    private static SymbolicTensor conv(SymbolicTensor x) {
        return new Conv2D(4, 3).padding("same").activation("relu").apply(x);
    }

    /** A model used as a layer of another (as a frozen base is), between other layers. */
    private static Arguments nested() {
        SymbolicTensor innerIn = Input.of(H, W, 4);
        SymbolicTensor innerOut = new MaxPooling2D(2).padding("same").apply(new BatchNormalization().apply(conv(innerIn)));
        Model inner = new Model(innerIn, innerOut, "inner");
        SymbolicTensor x = Input.of(H, W, C);
        SymbolicTensor y = new Add().apply(inner.apply(conv(x)), new MaxPooling2D(2).padding("same").apply(new Conv2D(4, 1).apply(x)));
        y = new Dense(3).activation("softmax").apply(new GlobalAveragePooling2D().apply(y));
        return Arguments.of("nested_model", new Model(x, y, "outer"));
    }

    /** Every weight uniform in [-0.5, 0.5], moving variances in [0.5, 1.5]. */
    static void randomise(Model model, long seed) {
        Random random = new Random(seed);
        for (Parameter p : model.weights()) {
            float[] v = new float[(int) p.value().size()];
            boolean variance = p.name().equals("moving_variance") || p.name().equals("variance");
            for (int i = 0; i < v.length; i++) {
                v[i] = (variance ? 1f : 0f) + random.nextFloat() - 0.5f;
            }
            p.assign(Tensor.of(v, p.value().shape()));
        }
    }

    static Tensor input(int n, int h, int w, int c, long seed) {
        Random random = new Random(seed);
        float[] v = new float[n * h * w * c];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Tensor.of(v, n, h, w, c);
    }
}
