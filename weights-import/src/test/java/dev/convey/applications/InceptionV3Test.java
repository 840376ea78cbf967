package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Layer;
import dev.convey.models.Model;

/**
 * InceptionV3 against Keras. The table: rows of {@code keras.applications.InceptionV3().summary()} (299 x 299, with
 * the top; Keras 3's {@code keras/src/applications/inception_v3.py}): the stem's layers by position (they are unnamed,
 * {@code conv2d}, {@code batch_normalization}, ...), the named {@code mixedN} concatenations, the top. A
 * {@code conv2d_bn} BatchNormalization has no gamma (scale=False): 3 parameters per channel, one trainable. Totals
 * 23,851,784 (keras.io/api/applications: 23.9M), 23,817,352 trainable, 34,432 non-trainable; 311 layers without
 * the top, as {@code len(InceptionV3(include_top=False).layers)} (the fine-tuning example freezes the first 249).
 */
class InceptionV3Test {

    private static final String[] ROWS = {
        "mixed0 Concatenate 35,35,256 0",
        "mixed1 Concatenate 35,35,288 0",
        "mixed2 Concatenate 35,35,288 0",
        "mixed3 Concatenate 17,17,768 0",
        "mixed4 Concatenate 17,17,768 0",
        "mixed7 Concatenate 17,17,768 0",
        "mixed8 Concatenate 8,8,1280 0",
        "mixed9_0 Concatenate 8,8,768 0",
        "mixed9 Concatenate 8,8,2048 0",
        "mixed9_1 Concatenate 8,8,768 0",
        "mixed10 Concatenate 8,8,2048 0",
        "avg_pool GlobalAveragePooling2D 2048 0",
        "predictions Dense 1000 2049000",
    };

    /** position in model.layers, class, output shape, parameters: the stem. */
    private static final String[] STEM = {
        "1 Conv2D 149,149,32 864", "2 BatchNormalization 149,149,32 96", "3 Activation 149,149,32 0",
        "4 Conv2D 147,147,32 9216", "7 Conv2D 147,147,64 18432", "10 MaxPooling2D 73,73,64 0",
        "11 Conv2D 73,73,80 5120", "14 Conv2D 71,71,192 138240", "17 MaxPooling2D 35,35,192 0",
    };

    @Test
    void fullSizeWithTopMatchesKerasSummary() {
        Model m = InceptionV3.create(new ApplicationOptions().weights(null));
        assertEquals("inception_v3", m.name());
        assertArrayEquals(new int[] {299, 299, 3}, m.input().shape());
        LayerTable.assertRows(m, ROWS);
        for (String row : STEM) {
            String[] f = row.split(" ");
            Layer layer = m.layers().get(Integer.parseInt(f[0]));
            assertEquals(f[1], layer.className(), row);
            assertEquals(f[2], String.join(",", java.util.Arrays.stream(m.outputOf(layer.name()).shape())
                    .mapToObj(String::valueOf).toList()), row);
            assertEquals(Long.parseLong(f[3]), layer.countParams(), row);
        }
        LayerTable.assertTotals(m, 23_851_784, 23_817_352, 34_432);
        assertEquals(313, m.layers().size());
        assertEquals(94, LayerTable.count(m, "Conv2D"));
        assertEquals(94, LayerTable.count(m, "BatchNormalization"));
        assertEquals(94, LayerTable.count(m, "Activation"));
        assertEquals(4, LayerTable.count(m, "MaxPooling2D"));
        assertEquals(9, LayerTable.count(m, "AveragePooling2D"));
        assertEquals(15, LayerTable.count(m, "Concatenate"));
        // conv2d_bn: no bias, no gamma
        Layer bn = m.layers().get(2);
        assertEquals(List.of("beta", "moving_mean", "moving_variance"), bn.weights().stream().map(p -> p.name()).toList());
        assertFalse((Boolean) m.layers().get(1).getConfig().get("use_bias"));
    }

    @Test
    void withoutTopAndArguments() {
        Model base = InceptionV3.create(new ApplicationOptions().weights(null).includeTop(false));
        assertEquals(311, base.layers().size());
        assertEquals(21_802_784, base.countParams());
        assertEquals("mixed10", base.layers().get(310).name());
        Model small = InceptionV3.create(new ApplicationOptions().weights(null).includeTop(false).pooling("max")
                .inputShape(75, 75, 3));
        assertArrayEquals(new int[] {2048}, small.output().shape());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> InceptionV3.create(new ApplicationOptions().weights(null).includeTop(false).inputShape(74, 80, 3)))
                .getMessage().contains("at least 75x75"));
        Applications.Application app = Applications.get("inception_v3");
        assertEquals("InceptionV3", app.kerasName());
        assertEquals("tf", app.preprocessMode());
        assertEquals("9a0d58056eeedaa3f26cb7ebd46da564", app.weights().get(0).md5());
        assertEquals("https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
                + "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", app.weights().get(1).url());
        assertEquals("bcbd6486424b2319ff4ef7d526e38f63", app.weights().get(1).md5());
    }
}
