package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Layer;
import dev.convey.models.Model;

/**
 * Xception against Keras. The table: rows of {@code keras.applications.Xception().summary()} (299 x 299, with the
 * top) as Keras 3's {@code keras/src/applications/xception.py} builds it, the parameters of each SeparableConv2D being
 * 3*3*in (depthwise) + in*out (pointwise, no bias); totals 22,910,480 (the figure of the keras.io/api/applications
 * table, 22.9M), 22,855,952 trainable, 54,528 non-trainable (the moving statistics of 40 batch norms); 132 layers
 * without the top, as {@code len(Xception(include_top=False).layers)}.
 */
class XceptionTest {

    private static final String[] ROWS = {
        "block1_conv1 Conv2D 149,149,32 864",
        "block1_conv1_bn BatchNormalization 149,149,32 128",
        "block1_conv1_act Activation 149,149,32 0",
        "block1_conv2 Conv2D 147,147,64 18432",
        "block2_sepconv1 SeparableConv2D 147,147,128 8768",
        "block2_sepconv2_act Activation 147,147,128 0",
        "block2_sepconv2 SeparableConv2D 147,147,128 17536",
        "block2_pool MaxPooling2D 74,74,128 0",
        "block3_sepconv1 SeparableConv2D 74,74,256 33920",
        "block3_sepconv2 SeparableConv2D 74,74,256 67840",
        "block3_pool MaxPooling2D 37,37,256 0",
        "block4_sepconv1 SeparableConv2D 37,37,728 188672",
        "block4_sepconv2 SeparableConv2D 37,37,728 536536",
        "block4_pool MaxPooling2D 19,19,728 0",
        "block5_sepconv1_act Activation 19,19,728 0",
        "block5_sepconv1 SeparableConv2D 19,19,728 536536",
        "block12_sepconv3_bn BatchNormalization 19,19,728 2912",
        "block13_sepconv1 SeparableConv2D 19,19,728 536536",
        "block13_sepconv2 SeparableConv2D 19,19,1024 752024",
        "block13_pool MaxPooling2D 10,10,1024 0",
        "block14_sepconv1 SeparableConv2D 10,10,1536 1582080",
        "block14_sepconv1_bn BatchNormalization 10,10,1536 6144",
        "block14_sepconv2 SeparableConv2D 10,10,2048 3159552",
        "block14_sepconv2_act Activation 10,10,2048 0",
        "avg_pool GlobalAveragePooling2D 2048 0",
        "predictions Dense 1000 2049000",
    };

    @Test
    void fullSizeWithTopMatchesKerasSummary() {
        Model m = Xception.create(new ApplicationOptions().weights(null));
        assertEquals("xception", m.name());
        assertArrayEquals(new int[] {299, 299, 3}, m.input().shape());
        LayerTable.assertRows(m, ROWS);
        LayerTable.assertTotals(m, 22_910_480, 22_855_952, 54_528);
        assertEquals(134, m.layers().size());
        assertEquals(34, LayerTable.count(m, "SeparableConv2D"));
        assertEquals(40, LayerTable.count(m, "BatchNormalization"));
        assertEquals(12, LayerTable.count(m, "Add"));

        // The unnamed shortcut convolutions: Keras' automatic names in creation order, 1x1/2 without bias.
        List<Layer> shortcuts = m.layers().stream().filter(l -> l.className().equals("Conv2D")
                && l.name().startsWith("conv2d")).toList();
        assertEquals(List.of(8192L, 32768L, 186368L, 745472L), shortcuts.stream().map(Layer::countParams).toList());
        int first = suffix(shortcuts.get(0).name());
        for (int i = 0; i < 4; i++) {
            assertEquals(first + i, suffix(shortcuts.get(i).name()));
        }
        // Keras' model.layers order around block 2 (depth first, as summary() lists it)
        List<String> around = m.layers().subList(11, 18).stream().map(l -> l.name().replaceFirst("_\\d+$", "")).toList();
        assertEquals(List.of("block2_sepconv2_bn", "conv2d", "block2_pool", "batch_normalization", "add",
                "block3_sepconv1_act", "block3_sepconv1"), around);
    }

    private static int suffix(String autoName) {
        int at = autoName.lastIndexOf('_');
        return at < 0 || !autoName.substring(at + 1).chars().allMatch(Character::isDigit) ? 0
                : Integer.parseInt(autoName.substring(at + 1));
    }

    @Test
    void withoutTopPoolingAndArguments() {
        Model base = Xception.create(new ApplicationOptions().weights(null).includeTop(false));
        assertEquals(132, base.layers().size());
        assertEquals(20_861_480, base.countParams());
        assertArrayEquals(new int[] {-1, -1, 2048}, base.output().shape());
        Model avg = Xception.create(new ApplicationOptions().weights(null).includeTop(false).pooling("avg")
                .inputShape(71, 71, 3));
        assertArrayEquals(new int[] {2048}, avg.output().shape());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Xception.create(new ApplicationOptions()
                .weights(null).includeTop(false).inputShape(70, 70, 3))).getMessage().contains("at least 71x71"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Xception.create(new ApplicationOptions()
                .inputShape(224, 224, 3))).getMessage().contains("must be (299, 299, 3)"));
        Applications.Application app = Applications.get("Xception");
        assertEquals("tf", app.preprocessMode());
        assertEquals(List.of(new Applications.WeightsEntry("xception_weights_tf_dim_ordering_tf_kernels.h5",
                "https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels.h5",
                "0a58e3b7378bc2990ea3b43d5981f1f6"), new Applications.WeightsEntry(
                "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
                "https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
                "b0042744bf5b25fce3cb969f33bebb97")), app.weights());
    }
}
