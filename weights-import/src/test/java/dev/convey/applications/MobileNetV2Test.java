package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.convey.models.Model;

/**
 * MobileNetV2 against Keras: the parameter counts of {@code MobileNetV2().summary()} (alpha 1.0, 224, with the top:
 * 3,538,984 total, 3,504,872 trainable, 34,112 non-trainable, as keras.io/api/applications and the summary print),
 * and per-layer rows of that summary (Keras 3's keras/src/applications/mobilenet_v2.py builds these layers).
 */
class MobileNetV2Test {

    /** name, class, output shape, parameters, from MobileNetV2().summary(). */
    private static final String[] ROWS = {
        "Conv1 Conv2D 112,112,32 864",
        "bn_Conv1 BatchNormalization 112,112,32 128",
        "Conv1_relu ReLU 112,112,32 0",
        "expanded_conv_depthwise DepthwiseConv2D 112,112,32 288",
        "expanded_conv_project Conv2D 112,112,16 512",
        "block_1_expand Conv2D 112,112,96 1536",
        "block_1_pad ZeroPadding2D 113,113,96 0",
        "block_1_depthwise DepthwiseConv2D 56,56,96 864",
        "block_1_project Conv2D 56,56,24 2304",
        "block_2_add Add 56,56,24 0",
        "block_13_pad ZeroPadding2D 15,15,576 0",
        "block_13_depthwise DepthwiseConv2D 7,7,576 5184",
        "block_16_project Conv2D 7,7,320 307200",
        "Conv_1 Conv2D 7,7,1280 409600",
        "Conv_1_bn BatchNormalization 7,7,1280 5120",
        "out_relu ReLU 7,7,1280 0",
        "predictions Dense 1000 1281000",
    };

    @Test
    void fullSizeWithTopMatchesKerasSummary() {
        Model m = MobileNetV2.create(new ApplicationOptions().weights(null));
        assertEquals("mobilenetv2_1.00_224", m.name());
        for (String row : ROWS) {
            String[] f = row.split(" ");
            assertEquals(f[1], m.getLayer(f[0]).className(), f[0]);
            int[] shape = java.util.Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(shape, m.outputOf(f[0]).shape(), f[0]);
            assertEquals(Long.parseLong(f[3]), m.getLayer(f[0]).countParams(), f[0]);
        }
        assertEquals(3_538_984, m.countParams());
        assertEquals(3_504_872, m.trainableWeights().stream().mapToLong(p -> p.value().size()).sum());
        assertEquals(156, m.layers().size());   // input + 154 + predictions, as in Keras' summary
    }

    @Test
    void alphaAndSizes() {
        assertEquals(8, MobileNetV2.makeDivisible(0.35 * 16, 8));
        assertEquals(16, MobileNetV2.makeDivisible(0.35 * 32, 8));
        Model m = MobileNetV2.create(new ApplicationOptions().weights(null).alpha(0.35).includeTop(false)
                .inputShape(96, 96, 3).pooling("avg"));
        assertEquals("mobilenetv2_0.35_96", m.name());
        assertArrayEquals(new int[] {1280}, m.output().shape());
        assertThrows(IllegalArgumentException.class, () -> MobileNetV2.create(new ApplicationOptions().alpha(0.3)));
        assertTrue(Applications.get("MobileNetV2").weights().get(0).fileName()
                .startsWith("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96"));
        assertEquals("tf", Applications.get("mobilenet_v2").preprocessMode());
        assertEquals("caffe", Applications.get("ResNet50").preprocessMode());
    }
}
