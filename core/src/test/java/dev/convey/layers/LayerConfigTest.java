package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** getConfig() gives Keras' get_config() keys, in Keras' order, with JSON-compatible values. */
class LayerConfigTest {

    @Test
    void conv2dConfigHasKerasKeysInOrder() {
        Conv2D conv = new Conv2D(8, new int[] {3, 5}).strides(new int[] {2, 1}).padding("same").activation("relu");
        conv.name("c");
        Map<String, Object> c = conv.getConfig();
        assertEquals(Arrays.asList("name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding",
                "data_format", "dilation_rate", "groups", "activation", "use_bias"), List.copyOf(c.keySet()));
        assertEquals("c", c.get("name"));
        assertEquals(8, c.get("filters"));
        assertEquals(List.of(3, 5), c.get("kernel_size"));
        assertEquals(List.of(2, 1), c.get("strides"));
        assertEquals("same", c.get("padding"));
        assertEquals("relu", c.get("activation"));
        assertEquals(true, c.get("use_bias"));
    }

    @Test
    void inputLayerWritesNoneForTheBatchAndUnknownAxes() {
        Map<String, Object> c = new InputLayer(-1, 4).getConfig();
        assertEquals(Arrays.asList(null, null, 4), c.get("batch_input_shape"));
    }

    @Test
    void weightlessLayerHasTheBaseKeysOnly() {
        Add add = new Add();
        add.setTrainable(false);
        assertEquals(Map.of("name", add.name(), "trainable", false, "dtype", "float32"), add.getConfig());
    }
}
