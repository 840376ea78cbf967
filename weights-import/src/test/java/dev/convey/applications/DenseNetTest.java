package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Parameter;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * DenseNet121/169/201 against Keras 3's {@code keras/src/applications/densenet.py}: the totals are the
 * "Parameters" column of keras.io/api/applications (8,062,504, 14,307,880, 20,242,984), the rows below what
 * {@code DenseNet121().summary()} prints for the layers densenet.py builds (7x7/2 conv after ZeroPadding2D 3,
 * 3x3/2 max pool after ZeroPadding2D 1, 32 new channels per building block, half the channels at each transition;
 * parameters kh*kw*in*out for the bias-free convolutions, 4 per BatchNormalization channel), and the layer and
 * weight counts {@code len(model.layers)} (input included) and {@code len(model.weights)} of those models.
 */
class DenseNetTest {

    /** name, class, output shape, parameters: DenseNet121().summary(). */
    private static final String[] ROWS_121 = {
        "zero_padding2d ZeroPadding2D 230,230,3 0",
        "conv1_conv Conv2D 112,112,64 9408",
        "conv1_bn BatchNormalization 112,112,64 256",
        "conv1_relu Activation 112,112,64 0",
        "zero_padding2d_1 ZeroPadding2D 114,114,64 0",
        "pool1 MaxPooling2D 56,56,64 0",
        "conv2_block1_0_bn BatchNormalization 56,56,64 256",
        "conv2_block1_0_relu Activation 56,56,64 0",
        "conv2_block1_1_conv Conv2D 56,56,128 8192",
        "conv2_block1_1_bn BatchNormalization 56,56,128 512",
        "conv2_block1_2_conv Conv2D 56,56,32 36864",
        "conv2_block1_concat Concatenate 56,56,96 0",
        "conv2_block2_1_conv Conv2D 56,56,128 12288",
        "conv2_block6_concat Concatenate 56,56,256 0",
        "pool2_bn BatchNormalization 56,56,256 1024",
        "pool2_relu Activation 56,56,256 0",
        "pool2_conv Conv2D 56,56,128 32768",
        "pool2_pool AveragePooling2D 28,28,128 0",
        "conv3_block12_concat Concatenate 28,28,512 0",
        "pool3_conv Conv2D 28,28,256 131072",
        "pool3_pool AveragePooling2D 14,14,256 0",
        "conv4_block24_concat Concatenate 14,14,1024 0",
        "pool4_conv Conv2D 14,14,512 524288",
        "pool4_pool AveragePooling2D 7,7,512 0",
        "conv5_block1_1_conv Conv2D 7,7,128 65536",
        "conv5_block16_concat Concatenate 7,7,1024 0",
        "bn BatchNormalization 7,7,1024 4096",
        "relu Activation 7,7,1024 0",
        "avg_pool GlobalAveragePooling2D 1024 0",
        "predictions Dense 1000 1025000",
    };

    /** depth, total parameters (keras.io), trainable, layers, weight tensors, channels before the top. */
    private static final long[][] TOTALS = {
        {121, 8_062_504, 7_978_856, 429, 606, 1024},
        {169, 14_307_880, 14_149_480, 597, 846, 1664},
        {201, 20_242_984, 20_013_928, 709, 1006, 1920},
    };

    private static Model random(int depth) {
        return DenseNet.create(depth, new ApplicationOptions().weights(null));
    }

    @Test
    void denseNet121MatchesKerasSummary() {
        Model m = random(121);
        assertEquals("densenet121", m.name());
        EfficientNetTest.assertSummaryRows(m, ROWS_121);
        assertEquals(1.001e-5, ((Number) m.getLayer("conv3_block5_1_bn").getConfig().get("epsilon")).doubleValue(), 1e-12);
    }

    @Test
    void everyDepthMatchesKerasTotals() {
        for (long[] t : TOTALS) {
            int depth = (int) t[0];
            Model m = random(depth);
            assertEquals(t[1], m.countParams(), "DenseNet" + depth);
            assertEquals(t[2], m.trainableWeights().stream().mapToLong((Parameter p) -> p.value().size()).sum(),
                    "DenseNet" + depth + " trainable");
            assertEquals(t[3], m.layers().size(), "DenseNet" + depth + " layers");
            assertEquals(t[4], m.weights().size(), "DenseNet" + depth + " weights");
            assertArrayEquals(new int[] {7, 7, (int) t[5]}, m.outputOf("relu").shape(), "DenseNet" + depth);
        }
    }

    @Test
    void noTopPoolingAndArguments() {
        Model avg = DenseNet.create(121, new ApplicationOptions().weights(null).includeTop(false).pooling("avg")
                .inputShape(96, 128, 3));
        assertArrayEquals(new int[] {1024}, avg.output().shape());
        assertEquals("avg_pool", avg.layers().get(avg.layers().size() - 1).name());
        assertEquals(8_062_504 - 1_025_000, avg.countParams());
        assertArrayEquals(new int[] {3, 4, 1024}, avg.outputOf("relu").shape());
        Model max = DenseNet.create(169, new ApplicationOptions().weights(null).includeTop(false).pooling("max"));
        assertEquals("max_pool", max.layers().get(max.layers().size() - 1).name());
        assertArrayEquals(new int[] {-1, -1, 1920}, DenseNet.create(201, new ApplicationOptions().weights(null)
                .includeTop(false)).output().shape());
        assertEquals(10, DenseNet.create(121, new ApplicationOptions().weights(null).classes(10)).output().shape()[0]);
        assertThrows(IllegalArgumentException.class, () -> DenseNet.create(121, new ApplicationOptions().classes(10)));
        assertThrows(IllegalArgumentException.class, () -> DenseNet.create(122, new ApplicationOptions()));
    }

    @Test
    void registryWeightsAndTorchPreprocessing() {
        Applications.Application app = Applications.get("DenseNet121");
        assertEquals("densenet121", app.name());
        assertEquals("torch", app.preprocessMode());
        // Keras' densenet.py: file names, URLs and the file_hash of each.
        assertEquals("densenet121_weights_tf_dim_ordering_tf_kernels.h5", app.weights().get(0).fileName());
        assertEquals("9d60b8095a5708f2dcce2bca79d332c7", app.weights().get(0).md5());
        assertEquals("https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
                + "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5", app.weights().get(1).url());
        assertEquals("30ee3e1110167f948a6b9946edeeb738", app.weights().get(1).md5());
        assertEquals("d699b8f76981ab1b30698df4c175e90b", Applications.get("densenet169").weights().get(0).md5());
        assertEquals("c13680b51ded0fb44dff2d8f86ac8bb1", Applications.get("densenet_201").weights().get(1).md5());
        // torch mode: (x / 255 - mean) / std per RGB channel, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
        Tensor x = app.preprocessInput(Tensor.of(new float[] {255, 0, 127.5f}, 1, 1, 1, 3));
        assertEquals((1 - 0.485) / 0.229, x.data().get(0), 1e-5);
        assertEquals(-0.456 / 0.224, x.data().get(1), 1e-5);
        assertEquals((0.5 - 0.406) / 0.225, x.data().get(2), 1e-5);
    }
}
