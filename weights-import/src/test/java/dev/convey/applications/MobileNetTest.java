package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.keras.KerasWeights;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/**
 * MobileNet against Keras. The tables: parameter counts and output shapes of every convolution as Keras'
 * {@code MobileNet().summary()} prints them for alpha 1.0, 224x224, with the top (the architecture of Keras 3's
 * {@code keras/src/applications/mobilenet.py}; totals 4,253,864 / 4,231,976 trainable / 21,888 non-trainable, the
 * figures of keras.io/api/applications and of model.summary()); the layer order and weight shapes of
 * Keras' own ImageNet file for alpha 0.25 ({@code keras-real/mobilenet_2_5_224_tf_no_top.h5}, its
 * {@code layer_names} attribute and datasets).
 */
class MobileNetTest {

    static final String REAL_WEIGHTS = "keras-real/mobilenet_2_5_224_tf_no_top.h5";

    /** name, output shape, parameters: the convolutions of MobileNet(alpha=1.0) with the top. */
    private static final String[] CONVOLUTIONS = {
        "conv1 112,112,32 864",
        "conv_dw_1 112,112,32 288", "conv_pw_1 112,112,64 2048",
        "conv_dw_2 56,56,64 576", "conv_pw_2 56,56,128 8192",
        "conv_dw_3 56,56,128 1152", "conv_pw_3 56,56,128 16384",
        "conv_dw_4 28,28,128 1152", "conv_pw_4 28,28,256 32768",
        "conv_dw_5 28,28,256 2304", "conv_pw_5 28,28,256 65536",
        "conv_dw_6 14,14,256 2304", "conv_pw_6 14,14,512 131072",
        "conv_dw_7 14,14,512 4608", "conv_pw_7 14,14,512 262144",
        "conv_dw_8 14,14,512 4608", "conv_pw_8 14,14,512 262144",
        "conv_dw_9 14,14,512 4608", "conv_pw_9 14,14,512 262144",
        "conv_dw_10 14,14,512 4608", "conv_pw_10 14,14,512 262144",
        "conv_dw_11 14,14,512 4608", "conv_pw_11 14,14,512 262144",
        "conv_dw_12 7,7,512 4608", "conv_pw_12 7,7,1024 524288",
        "conv_dw_13 7,7,1024 9216", "conv_pw_13 7,7,1024 1048576",
        "conv_preds 1,1,1000 1025000",
    };

    @Test
    void fullSizeWithTopMatchesKerasSummary() {
        Model m = MobileNet.create(new ApplicationOptions().weights(null));
        assertEquals("mobilenet_1.00_224", m.name());
        for (String row : CONVOLUTIONS) {
            String[] f = row.split(" ");
            Layer layer = m.getLayer(f[0]);
            assertEquals(Long.parseLong(f[2]), layer.countParams(), f[0]);
            int[] shape = java.util.Arrays.stream(f[1].split(",")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(shape, m.outputOf(f[0]).shape(), f[0]);
            assertEquals(f[0].startsWith("conv_dw") ? "DepthwiseConv2D" : "Conv2D", layer.className(), f[0]);
        }
        long trainable = m.trainableWeights().stream().mapToLong(p -> p.value().size()).sum();
        assertEquals(4_253_864, m.countParams());
        assertEquals(4_231_976, trainable);
        List<String> tail = new ArrayList<>();
        for (Layer l : m.layers().subList(m.layers().size() - 5, m.layers().size())) {
            tail.add(l.name() + ":" + l.className() + Shapes.toString(m.outputOf(l.name()).shape()));
        }
        assertEquals(List.of("global_average_pooling2d:GlobalAveragePooling2D(1, 1, 1024)",
                "dropout:Dropout(1, 1, 1024)", "conv_preds:Conv2D(1, 1, 1000)", "reshape_2:Reshape(1000,)",
                "predictions:Activation(1000,)"), tail.stream().map(s -> s.replaceFirst("global_average_pooling2d_\\d+",
                "global_average_pooling2d")).toList());
        assertEquals("conv_pad_2", m.layers().get(10).name());
        assertEquals("ZeroPadding2D", m.layers().get(10).className());
        assertEquals("ReLU", m.getLayer("conv1_relu").className());
    }

    @Test
    void layerOrderAndWeightShapesEqualKerasOwnFile() {
        Path file = TestData.file(REAL_WEIGHTS);
        Model m = MobileNet.create(new ApplicationOptions().weights(null).includeTop(false).alpha(0.25)
                .inputShape(224, 224, 3));
        List<KerasWeights.SavedLayerInfo> saved = KerasWeights.list(file);
        List<String> savedNames = new ArrayList<>();
        for (KerasWeights.SavedLayerInfo info : saved) {
            if (!info.name().startsWith("input") && !info.name().startsWith("global_average_pooling2d")) {
                savedNames.add(info.name());
            }
        }
        List<String> ours = new ArrayList<>();
        for (Layer l : m.layers()) {
            // Keras 2.0.4 padded the strided depthwise convolutions with padding="same" (the same numbers);
            // Keras 3 writes an explicit ZeroPadding2D conv_pad_N first.
            if (!l.className().equals("InputLayer") && !l.name().startsWith("conv_pad_")) {
                ours.add(l.name());
            }
        }
        assertEquals(savedNames, ours);
        for (KerasWeights.SavedLayerInfo info : saved) {
            for (int i = 0; i < info.weights().size(); i++) {
                Parameter p = m.getLayer(info.name()).weights().get(i);
                assertArrayEquals(info.weights().get(i).shape(), p.value().shape(), p.fullName());
            }
        }
        assertEquals(81, ours.size());   // conv1, conv1_bn, conv1_relu + 13 blocks of 6
    }

    @Test
    void realWeightsLoadByNameAndByOrderToTheSameModel() {
        Path file = TestData.file(REAL_WEIGHTS);
        ApplicationOptions options = new ApplicationOptions().includeTop(false).alpha(0.25).inputShape(96, 96, 3);
        Model byOrder = MobileNet.create(options.weights(file.toString()));
        Model byName = MobileNet.create(new ApplicationOptions().includeTop(false).alpha(0.25).inputShape(96, 96, 3)
                .weights(null));
        KerasWeights.Report report = KerasWeights.loadByName(byName, file, false);
        assertTrue(report.notInFile().isEmpty(), report.toString());
        assertTrue(report.skipped().isEmpty() && !report.loaded().isEmpty(), report.toString());
        Tensor x = SyntheticWeights.images(1, 2, 96, 96);
        Tensor a = byOrder.predict(ImageNet.preprocessInput(x, "tf"), 2);
        Tensor b = byName.predict(ImageNet.preprocessInput(x, "tf"), 2);
        assertArrayEquals(new int[] {2, 3, 3, 256}, a.shape());
        assertArrayEquals(a.toArray(), b.toArray());
        float first = byOrder.getLayer("conv1").weights().get(0).value().data().get(0);
        assertTrue(first != 0 && Float.isFinite(first));
    }

    @Test
    void kerasArgumentChecks() {
        assertThrows(IllegalArgumentException.class, () -> MobileNet.create(new ApplicationOptions().alpha(0.3)));
        assertThrows(IllegalArgumentException.class, () -> MobileNet.create(new ApplicationOptions().depthMultiplier(2)));
        Model m = MobileNet.create(new ApplicationOptions().weights(null).includeTop(false).alpha(0.5)
                .depthMultiplier(2).pooling("avg").inputShape(128, 128, 3));
        assertEquals("mobilenet_0.50_128", m.name());
        assertArrayEquals(new int[] {3, 3, 32, 2}, m.getLayer("conv_dw_2").weights().get(0).value().shape());
        assertArrayEquals(new int[] {512}, m.output().shape());
    }
}
