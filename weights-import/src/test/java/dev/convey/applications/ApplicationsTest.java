package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/**
 * VGG16 and ResNet50 against Keras: structure (names, order, shapes, parameter counts) and numbers (the tiny
 * fixtures' logits, predictions and feature maps, loaded from every Keras file layout or generated from the
 * synthetic-weights spec).
 */
class ApplicationsTest {

    /** The tiny fixtures: channels / 16, fully connected 256, 64x64 images. */
    private static final int TINY_DIVISOR = 16;
    private static final int TINY_SIZE = 64;

    private static Model tiny(String model, String weightsFile, boolean includeTop, String activation) {
        ApplicationOptions options = new ApplicationOptions().widthDivisor(TINY_DIVISOR).includeTop(includeTop)
                .classifierActivation(activation)
                .weights(weightsFile == null ? null : TestData.file("applications/" + weightsFile).toString());
        if (includeTop) {
            options.inputShape(TINY_SIZE, TINY_SIZE, 3);
        }
        return build(model, options);
    }

    private static Model build(String model, ApplicationOptions options) {
        return model.endsWith("vgg16") ? VGG16.create(options) : ResNet50.create(options);
    }

    private static final java.util.Map<String, Model> FULL_SIZE = new java.util.concurrent.ConcurrentHashMap<>();

    /** The full-size model with the top and random weights, built once: VGG16 alone has 138 million weights. */
    private static Model fullSize(String model) {
        return FULL_SIZE.computeIfAbsent(model, m -> build(m, new ApplicationOptions().weights(null)));
    }

    private static String featureLayer(String model) {
        return model.endsWith("vgg16") ? "block5_pool" : "conv5_block3_out";
    }

    // ---------------------------------------------------------------- numbers

    @ParameterizedTest
    @ValueSource(strings = {"tiny_vgg16_keras2.h5", "tiny_vgg16_keras1.h5", "tiny_vgg16_fullmodel_group.h5",
        "tiny_resnet50_keras2.h5", "tiny_resnet50_fullmodel_group.h5"})
    void weightFilesWithTheTopReproduceLogitsPredictionsAndFeatures(String file) {
        String model = file.startsWith("tiny_vgg16") ? "tiny_vgg16" : "tiny_resnet50";
        Tensor x = Fixtures.npy("tiny_input_preprocessed.npy");

        Model classifier = tiny(model, file, true, "softmax");
        Tensor expected = Fixtures.npy(model + "_predictions.npy");
        Fixtures.assertClose(file + " predictions", expected, classifier.forward(x), Fixtures.rms(expected));
        Model features = new Model(classifier.inputs(), classifier.outputOf(featureLayer(model)), "features");
        Fixtures.assertClose(file + " " + featureLayer(model), Fixtures.npy(model + "_" + featureLayer(model) + ".npy"),
                features.forward(x), Fixtures.rms(model, featureLayer(model)));

        Model logits = tiny(model, file, true, "linear");
        Fixtures.assertClose(file + " logits", Fixtures.npy(model + "_logits.npy"), logits.forward(x),
                Fixtures.rms(model, "predictions:logits"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_vgg16_notop_keras2.h5", "tiny_vgg16_notop_keras1.h5", "tiny_resnet50_notop_keras2.h5"})
    void weightFilesWithoutTheTopReproduceTheFeatureMap(String file) {
        String model = file.startsWith("tiny_vgg16") ? "tiny_vgg16" : "tiny_resnet50";
        Model base = tiny(model, file, false, "softmax");
        assertArrayEquals(new int[] {-1, -1, 3}, base.input().shape(), "Keras' default input shape without the top");
        Fixtures.assertClose(file, Fixtures.npy(model + "_" + featureLayer(model) + ".npy"),
                base.forward(Fixtures.npy("tiny_input_preprocessed.npy")), Fixtures.rms(model, featureLayer(model)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_vgg16", "tiny_resnet50"})
    void syntheticWeightsReproduceTheFixturesWithoutAnyFile(String model) {
        Model logits = tiny(model, null, true, "linear");
        SyntheticWeights.fill(logits, SyntheticWeights.FIXTURE_SEED);
        Tensor x = ImageNet.preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 2, TINY_SIZE, TINY_SIZE));
        Fixtures.assertClose(model + " logits", Fixtures.npy(model + "_logits.npy"), logits.forward(x),
                Fixtures.rms(model, "predictions:logits"));
    }

    @Test
    void poolingAveragesOrMaximisesTheFeatureMap() {
        Tensor x = Fixtures.npy("tiny_input_preprocessed.npy");
        Tensor map = Fixtures.npy("tiny_resnet50_conv5_block3_out.npy"); // (2, 2, 2, 128)
        for (String pooling : new String[] {"avg", "max"}) {
            Model pooled = ResNet50.create(new ApplicationOptions().includeTop(false).pooling(pooling)
                    .widthDivisor(TINY_DIVISOR).weights(TestData.file("applications/tiny_resnet50_notop_keras2.h5").toString()));
            assertEquals(pooling + "_pool", pooled.layers().get(pooled.layers().size() - 1).name());
            Tensor expected = Tensor.zeros(2, 128);
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 128; c++) {
                    double acc = pooling.equals("avg") ? 0 : Double.NEGATIVE_INFINITY;
                    for (int h = 0; h < 2; h++) {
                        for (int w = 0; w < 2; w++) {
                            float v = map.get(n, h, w, c);
                            acc = pooling.equals("avg") ? acc + v / 4.0 : Math.max(acc, v);
                        }
                    }
                    expected.set((float) acc, n, c);
                }
            }
            Fixtures.assertClose("pooling " + pooling, expected, pooled.forward(x), Fixtures.rms(expected));
        }
    }

    // ---------------------------------------------------------------- structure

    @ParameterizedTest
    @ValueSource(strings = {"tiny_vgg16", "tiny_resnet50", "vgg16", "resnet50"})
    void weightsAreInKerasOrderWithKerasShapes(String model) {
        Model m = model.startsWith("tiny") ? tiny(model, null, true, "softmax") : fullSize(model);
        List<String> layersWithWeights = new ArrayList<>();
        for (Layer l : m.layers()) {
            if (!l.weights().isEmpty()) {
                layersWithWeights.add(l.name());
            }
        }
        assertEquals(Fixtures.layersWithWeights(model), layersWithWeights);
        List<Parameter> weights = m.weights();
        List<Fixtures.Checksum> checksums = Fixtures.checksums(model);
        assertEquals(checksums.size(), weights.size());
        for (int t = 0; t < weights.size(); t++) {
            assertEquals(checksums.get(t).layer(), weights.get(t).layer().name(), "tensor " + t);
            assertArrayEquals(checksums.get(t).shape(), weights.get(t).value().shape(), weights.get(t).fullName());
        }
    }

    @Test
    void vgg16LayersAndParameterCountsAreKeras() {
        Model top = fullSize("vgg16");
        assertEquals(List.of("input_layer", "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1",
                "block2_conv2", "block2_pool", "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool",
                "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool", "block5_conv1", "block5_conv2",
                "block5_conv3", "block5_pool", "flatten", "fc1", "fc2", "predictions"),
                names(top).stream().map(n -> n.startsWith("input") ? "input_layer" : n).toList());
        assertEquals("vgg16", top.name());
        assertEquals(138_357_544L, top.countParams()); // Keras' VGG16().summary(): Total params 138,357,544
        assertEquals("(None, 224, 224, 3)", Shapes.toString(Shapes.withBatch(-1, top.input().shape())));
        assertEquals("(None, 7, 7, 512)", Shapes.toString(Shapes.withBatch(-1, top.outputOf("block5_pool").shape())));
        assertEquals("(None, 1000)", Shapes.toString(Shapes.withBatch(-1, top.output().shape())));

        Model base = VGG16.create(new ApplicationOptions().weights(null).includeTop(false));
        assertEquals(14_714_688L, base.countParams()); // include_top=False
        assertEquals("(None, None, None, 512)", Shapes.toString(Shapes.withBatch(-1, base.output().shape())));
        Model avg = VGG16.create(new ApplicationOptions().weights(null).includeTop(false).pooling("avg")
                .inputShape(150, 150, 3));
        assertEquals("(None, 512)", Shapes.toString(Shapes.withBatch(-1, avg.output().shape())));
        assertTrue(avg.layers().get(avg.layers().size() - 1).name().startsWith("global_average_pooling2d"));
    }

    @Test
    void resnet50LayersAndParameterCountsAreKeras() {
        Model top = fullSize("resnet50");
        List<String> names = names(top);
        assertEquals(177, names.size()); // len(keras.applications.ResNet50().layers)
        assertEquals(List.of("conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad", "pool1_pool",
                "conv2_block1_1_conv", "conv2_block1_1_bn", "conv2_block1_1_relu", "conv2_block1_2_conv",
                "conv2_block1_2_bn", "conv2_block1_2_relu", "conv2_block1_0_conv", "conv2_block1_3_conv",
                "conv2_block1_0_bn", "conv2_block1_3_bn", "conv2_block1_add", "conv2_block1_out"), names.subList(1, 19));
        assertEquals(List.of("conv5_block3_add", "conv5_block3_out", "avg_pool", "predictions"), names.subList(173, 177));
        assertEquals(25_636_712L, top.countParams()); // Keras' ResNet50().summary(): Total params 25,636,712
        assertEquals("(None, 7, 7, 2048)", Shapes.toString(Shapes.withBatch(-1, top.outputOf("conv5_block3_out").shape())));
        assertEquals("(None, 112, 112, 64)", Shapes.toString(Shapes.withBatch(-1, top.outputOf("conv1_conv").shape())));
        assertEquals("(None, 56, 56, 64)", Shapes.toString(Shapes.withBatch(-1, top.outputOf("pool1_pool").shape())));
        assertEquals(1.001e-5f, ((dev.convey.layers.BatchNormalization) top.getLayer("conv3_block2_2_bn")).epsilon());

        Model base = ResNet50.create(new ApplicationOptions().weights(null).includeTop(false));
        assertEquals(23_587_712L, base.countParams());
        assertEquals("(None, None, None, 2048)", Shapes.toString(Shapes.withBatch(-1, base.output().shape())));
    }

    private static List<String> names(Model m) {
        return m.layers().stream().map(Layer::name).toList();
    }

    // ---------------------------------------------------------------- Keras' argument checks

    @Test
    void argumentsAreCheckedAsKerasDoes() {
        assertMessage(() -> VGG16.create(new ApplicationOptions().classes(10)), "classes must be 1000");
        assertMessage(() -> VGG16.create(new ApplicationOptions().weights(null).includeTop(false).pooling("mean")),
                "\"mean\"");
        assertMessage(() -> ResNet50.create(new ApplicationOptions().weights(null).includeTop(false).inputShape(16, 16, 3)),
                "at least 32x32");
        assertMessage(() -> ResNet50.create(new ApplicationOptions().inputShape(200, 200, 3)),
                "must be (224, 224, 3)");
        assertMessage(() -> VGG16.create(new ApplicationOptions().weights(null).inputShape(-1, -1, 3)),
                "fully known");
        assertMessage(() -> VGG16.create(new ApplicationOptions().weights("/no/such/weights.h5")),
                "/no/such/weights.h5");
        // Keras' positional form.
        Model custom = VGG16.create(true, null, new int[] {32, 32, 3}, null, 10);
        assertEquals("(None, 10)", Shapes.toString(Shapes.withBatch(-1, custom.output().shape())));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
