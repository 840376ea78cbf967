package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * EfficientNetB0..B7 against Keras 3's {@code keras/src/applications/efficientnet.py}:
 * <ul>
 * <li>the total parameter counts are the "Parameters" column of keras.io/api/applications (the keras-io table
 * {@code templates/api/applications/index.md}), which counts the Normalization layer's non-trainable mean,
 * variance and count (3 + 3 + 1): B0 5,330,571 ... B7 66,658,687;</li>
 * <li>the rows below (name, class, output shape, parameters) are what {@code EfficientNetB0().summary()} prints
 * for the layers efficientnet.py builds (shapes from correct_pad and "valid"/"same"; parameters
 * kh*kw*in*out (+ out with a bias), 4 per BatchNormalization channel);</li>
 * <li>the number of weight tensors is {@code len(model.weights)}: 314 for B0, 442 for B1 (3 for Normalization,
 * 1 per bias-free convolution, 2 per SE convolution, 4 per BatchNormalization, 2 for the classifier).</li>
 * </ul>
 * The model is built as with weights "imagenet" (with Keras' extra {@code rescaling_1}) without downloading.
 */
class EfficientNetTest {

    /** name, class, output shape, parameters: EfficientNetB0().summary() of Keras 3. */
    private static final String[] B0_ROWS = {
        "rescaling Rescaling 224,224,3 0",
        "normalization Normalization 224,224,3 7",
        "rescaling_1 Rescaling 224,224,3 0",
        "stem_conv_pad ZeroPadding2D 225,225,3 0",
        "stem_conv Conv2D 112,112,32 864",
        "stem_bn BatchNormalization 112,112,32 128",
        "stem_activation Activation 112,112,32 0",
        "block1a_dwconv DepthwiseConv2D 112,112,32 288",
        "block1a_bn BatchNormalization 112,112,32 128",
        "block1a_activation Activation 112,112,32 0",
        "block1a_se_squeeze GlobalAveragePooling2D 32 0",
        "block1a_se_reshape Reshape 1,1,32 0",
        "block1a_se_reduce Conv2D 1,1,8 264",
        "block1a_se_expand Conv2D 1,1,32 288",
        "block1a_se_excite Multiply 112,112,32 0",
        "block1a_project_conv Conv2D 112,112,16 512",
        "block1a_project_bn BatchNormalization 112,112,16 64",
        "block2a_expand_conv Conv2D 112,112,96 1536",
        "block2a_expand_bn BatchNormalization 112,112,96 384",
        "block2a_expand_activation Activation 112,112,96 0",
        "block2a_dwconv_pad ZeroPadding2D 113,113,96 0",
        "block2a_dwconv DepthwiseConv2D 56,56,96 864",
        "block2a_se_reduce Conv2D 1,1,4 388",
        "block2a_se_expand Conv2D 1,1,96 480",
        "block2a_project_conv Conv2D 56,56,24 2304",
        "block2b_expand_conv Conv2D 56,56,144 3456",
        "block2b_dwconv DepthwiseConv2D 56,56,144 1296",
        "block2b_se_reduce Conv2D 1,1,6 870",
        "block2b_drop Dropout 56,56,24 0",
        "block2b_add Add 56,56,24 0",
        "block3a_dwconv_pad ZeroPadding2D 59,59,144 0",
        "block3a_dwconv DepthwiseConv2D 28,28,144 3600",
        "block3a_project_conv Conv2D 28,28,40 5760",
        "block4a_dwconv_pad ZeroPadding2D 29,29,240 0",
        "block4a_dwconv DepthwiseConv2D 14,14,240 2160",
        "block4c_add Add 14,14,80 0",
        "block5a_dwconv DepthwiseConv2D 14,14,480 12000",
        "block5a_project_conv Conv2D 14,14,112 53760",
        "block6a_dwconv_pad ZeroPadding2D 17,17,672 0",
        "block6a_dwconv DepthwiseConv2D 7,7,672 16800",
        "block6d_se_reduce Conv2D 1,1,48 55344",
        "block6d_add Add 7,7,192 0",
        "block7a_dwconv DepthwiseConv2D 7,7,1152 10368",
        "block7a_project_conv Conv2D 7,7,320 368640",
        "block7a_project_bn BatchNormalization 7,7,320 1280",
        "top_conv Conv2D 7,7,1280 409600",
        "top_bn BatchNormalization 7,7,1280 5120",
        "top_activation Activation 7,7,1280 0",
        "avg_pool GlobalAveragePooling2D 1280 0",
        "top_dropout Dropout 1280 0",
        "predictions Dense 1000 1281000",
    };

    /** keras.io/api/applications: the Parameters of EfficientNetB0..B7. */
    private static final long[] TOTAL_PARAMS = {
        5_330_571, 7_856_239, 9_177_569, 12_320_535, 19_466_823, 30_562_527, 43_265_143, 66_658_687,
    };

    /** Each row "name class h,w,c parameters" (Keras' summary without the batch axis) describes that layer of m. */
    static void assertSummaryRows(Model m, String[] rows) {
        for (String row : rows) {
            String[] f = row.split(" ");
            assertEquals(f[1], m.getLayer(f[0]).className(), f[0]);
            int[] shape = Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(shape, m.outputOf(f[0]).shape(), f[0]);
            assertEquals(Long.parseLong(f[3]), m.getLayer(f[0]).countParams(), f[0]);
        }
    }

    static Model imagenetStructure(int size, ApplicationOptions options) {
        return EfficientNet.build(size, options.weights(null), true);
    }

    @Test
    void b0MatchesKerasSummary() {
        Model m = imagenetStructure(0, new ApplicationOptions());
        assertEquals("efficientnetb0", m.name());
        assertSummaryRows(m, B0_ROWS);
        assertEquals(TOTAL_PARAMS[0], m.countParams());
        assertEquals(314, m.weights().size());
        // The 7 of Normalization and the moving statistics of the 49 BatchNormalization layers are not trained.
        assertEquals(5_288_548, m.trainableWeights().stream().mapToLong(p -> p.value().size()).sum());
    }

    @Test
    void b0StochasticDepthAndClassifierDropout() {
        Model m = imagenetStructure(0, new ApplicationOptions());
        // drop_connect_rate * b / blocks with 16 blocks: block2b is block 2, block7a has no skip (192 -> 320).
        Map<String, Object> drop = m.getLayer("block2b_drop").getConfig();
        assertEquals(0.2 * 2 / 16, ((Number) drop.get("rate")).doubleValue(), 1e-7);
        assertEquals(Arrays.asList(null, 1, 1, 1), drop.get("noise_shape"));
        assertEquals(0.2 * 14 / 16, ((Number) m.getLayer("block6d_drop").getConfig().get("rate")).doubleValue(), 1e-7);
        assertNull(m.getLayer("top_dropout").getConfig().get("noise_shape"));
        assertEquals(0.2, ((Number) m.getLayer("top_dropout").getConfig().get("rate")).doubleValue(), 1e-7);
        assertFalse(m.layers().stream().anyMatch(l -> l.name().equals("block7a_add") || l.name().equals("block1a_add")));
        assertEquals("silu", m.getLayer("stem_activation").getConfig().get("activation"));
        assertEquals(List.of(1 / Math.sqrt(0.229), 1 / Math.sqrt(0.224), 1 / Math.sqrt(0.225)),
                m.getLayer("rescaling_1").getConfig().get("scale"));
    }

    /**
     * B1..B7: Keras' totals, and the scaling itself: round_repeats(1, 3.1) = 4 blocks in B7's last stage
     * (block7d), round_filters(1280, 2.0) = 2560 top channels, 600 x 600 reduced to 19 x 19.
     */
    @Test
    void b1ToB7MatchKerasTotals() {
        for (int size = 1; size < EfficientNet.SIZES; size++) {
            Model m = imagenetStructure(size, new ApplicationOptions());
            assertEquals(TOTAL_PARAMS[size], m.countParams(), "EfficientNetB" + size);
            assertEquals("efficientnetb" + size, m.name());
            if (size == 1) {
                assertEquals(442, m.weights().size());
                assertArrayEquals(new int[] {8, 8, 1280}, m.outputOf("top_activation").shape());
            }
            if (size == 7) {
                assertArrayEquals(new int[] {19, 19, 2560}, m.outputOf("top_conv").shape());
                assertArrayEquals(new int[] {19, 19, 640}, m.outputOf("block7d_project_bn").shape());
                assertEquals(0.5, ((Number) m.getLayer("top_dropout").getConfig().get("rate")).doubleValue());
            }
        }
    }

    @Test
    void scalingRules() {
        // B2 (width 1.1): 32 -> 35.2 -> 32 (not below 90 %), 16 * 1.1 -> 16, 1280 * 1.1 -> 1408.
        assertEquals(32, EfficientNet.roundFilters(32, 1.1));
        assertEquals(16, EfficientNet.roundFilters(16, 1.1));
        assertEquals(1408, EfficientNet.roundFilters(1280, 1.1));
        assertEquals(56, EfficientNet.roundFilters(40, 1.4));
        assertEquals(3, EfficientNet.roundRepeats(2, 1.1));
        assertEquals(5, EfficientNet.roundRepeats(3, 1.4));   // 4.2 -> 5
        assertEquals(9, EfficientNet.roundRepeats(4, 2.2));   // 8.8 -> 9
        assertEquals(4, EfficientNet.roundRepeats(3, 1.2));   // 3.5999999999999996 -> 4
    }

    @Test
    void withoutImagenetWeightsKerasBuildsNoSecondRescaling() {
        Model m = EfficientNet.create(0, new ApplicationOptions().weights(null).includeTop(false).pooling("avg")
                .inputShape(96, 96, 3));
        assertFalse(m.layers().stream().anyMatch(l -> l.name().equals("rescaling_1")));
        assertEquals("avg_pool", m.layers().get(m.layers().size() - 1).name());
        assertArrayEquals(new int[] {1280}, m.output().shape());
        assertEquals(TOTAL_PARAMS[0] - 1_281_000, m.countParams());
        Model max = EfficientNet.create(3, new ApplicationOptions().weights(null).includeTop(false).pooling("max"));
        assertEquals("max_pool", max.layers().get(max.layers().size() - 1).name());
        assertArrayEquals(new int[] {-1, -1, 1536}, EfficientNet.create(3, new ApplicationOptions().weights(null)
                .includeTop(false)).output().shape());
    }

    @Test
    void registryWeightsAndArguments() {
        for (int size = 0; size < EfficientNet.SIZES; size++) {
            Applications.Application app = Applications.get("EfficientNetB" + size);
            assertEquals("efficientnet_b" + size, app.name());
            assertEquals("none", app.preprocessMode());
            Applications.WeightsEntry top = app.weights().get(0);
            Applications.WeightsEntry notop = app.weights().get(1);
            assertEquals("efficientnetb" + size + ".h5", top.fileName());
            assertEquals("https://storage.googleapis.com/keras-applications/efficientnetb" + size + "_notop.h5", notop.url());
            assertEquals(32, top.md5().length());
        }
        // Keras' WEIGHTS_HASHES["b0"] and ["b7"].
        assertEquals("902e53a9f72be733fc0bcb005b3ebbac", Applications.get("efficientnetb0").weights().get(0).md5());
        assertEquals("cbcfe4450ddf6f3ad90b1b398090fe4a", Applications.get("efficientnet_b7").weights().get(1).md5());
        Tensor pixels = Tensor.of(new float[] {0, 128, 255}, 1, 1, 1, 3);
        assertArrayEquals(pixels.toArray(), Applications.get("efficientnet_b0").preprocessInput(pixels).toArray());
        assertThrows(IllegalArgumentException.class, () -> EfficientNet.create(0, new ApplicationOptions()
                .inputShape(240, 240, 3)));                      // imagenet + top needs 224 x 224
        assertThrows(IllegalArgumentException.class, () -> EfficientNet.create(0, new ApplicationOptions().weights(null)
                .widthDivisor(2)));
        assertThrows(IllegalArgumentException.class, () -> EfficientNet.create(8, new ApplicationOptions()));
    }

    /** The layers of a Keras-built model are these, so loading a Keras file by name finds every weight. */
    @Test
    void everyLayerWithWeightsHasAKerasName() {
        Model m = imagenetStructure(0, new ApplicationOptions());
        for (Layer l : m.layers()) {
            if (!l.weights().isEmpty()) {
                assertTrue(l.name().matches("normalization|stem_.*|block\\d[a-z]_.*|top_.*|predictions"), l.name());
            }
        }
    }
}
