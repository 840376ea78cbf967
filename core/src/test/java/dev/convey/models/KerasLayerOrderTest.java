package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.testdata.TestData;

/**
 * Keras' ResNet50 graph (keras/applications/resnet.py: ResNet, stack1, block1) with every channel count divided
 * by 16, as the fixture's tiny_resnet50: its layers with weights must come out in exactly the order Keras
 * lists them (meta.json), because weights load from Keras files by that order.
 */
class KerasLayerOrderTest {

    private static Layer named(Layer layer, String name) {
        return layer.name(name);
    }

    private static SymbolicTensor batchNorm(SymbolicTensor x, String name) {
        return named(new BatchNormalization().epsilon(1.001e-5), name).apply(x);
    }

    /** Keras' block1: a bottleneck residual block; the shortcut is Add's first argument. */
    private static SymbolicTensor block1(SymbolicTensor x, int filters, int stride, boolean convShortcut, String name) {
        SymbolicTensor shortcut = x;
        if (convShortcut) {
            shortcut = named(new Conv2D(4 * filters, 1).strides(stride), name + "_0_conv").apply(x);
            shortcut = batchNorm(shortcut, name + "_0_bn");
        }
        x = named(new Conv2D(filters, 1).strides(stride), name + "_1_conv").apply(x);
        x = batchNorm(x, name + "_1_bn");
        x = named(new Activation("relu"), name + "_1_relu").apply(x);
        x = named(new Conv2D(filters, 3).padding("same"), name + "_2_conv").apply(x);
        x = batchNorm(x, name + "_2_bn");
        x = named(new Activation("relu"), name + "_2_relu").apply(x);
        x = named(new Conv2D(4 * filters, 1), name + "_3_conv").apply(x);
        x = batchNorm(x, name + "_3_bn");
        x = named(new Add(), name + "_add").apply(shortcut, x);
        return named(new Activation("relu"), name + "_out").apply(x);
    }

    private static SymbolicTensor stack1(SymbolicTensor x, int filters, int blocks, int stride1, String name) {
        x = block1(x, filters, stride1, true, name + "_block1");
        for (int i = 2; i <= blocks; i++) {
            x = block1(x, filters, 1, false, name + "_block" + i);
        }
        return x;
    }

    static Model tinyResNet50() {
        SymbolicTensor input = Input.of("input_1", 64, 64, 3);
        SymbolicTensor x = named(new ZeroPadding2D(3), "conv1_pad").apply(input);
        x = named(new Conv2D(4, 7).strides(2), "conv1_conv").apply(x);
        x = batchNorm(x, "conv1_bn");
        x = named(new Activation("relu"), "conv1_relu").apply(x);
        x = named(new ZeroPadding2D(1), "pool1_pad").apply(x);
        x = named(new MaxPooling2D(3).strides(2), "pool1_pool").apply(x);
        x = stack1(x, 4, 3, 1, "conv2");
        x = stack1(x, 8, 4, 2, "conv3");
        x = stack1(x, 16, 6, 2, "conv4");
        x = stack1(x, 32, 3, 2, "conv5");
        x = named(new GlobalAveragePooling2D(), "avg_pool").apply(x);
        x = named(new Dense(10).activation("softmax"), "predictions").apply(x);
        return new Model(input, x, "resnet50");
    }

    @Test
    void tinyResNet50LayersWithWeightsComeInKerasOrder() throws IOException {
        JsonArray expected;
        try (Reader r = new InputStreamReader(TestData.open("applications/meta.json"), StandardCharsets.UTF_8)) {
            JsonObject meta = JsonParser.parseReader(r).getAsJsonObject();
            expected = meta.getAsJsonObject("tiny_resnet50").getAsJsonArray("layers_with_weights_in_keras_order");
        }
        List<String> expectedNames = new ArrayList<>();
        for (JsonElement e : expected) {
            expectedNames.add(e.getAsString());
        }
        List<String> actual = new ArrayList<>();
        for (Layer l : tinyResNet50().layers()) {
            if (!l.weights().isEmpty()) {
                actual.add(l.name());
            }
        }
        assertEquals(expectedNames, actual);
        assertEquals(List.of("conv2_block1_0_conv", "conv2_block1_3_conv", "conv2_block1_0_bn", "conv2_block1_3_bn"),
                actual.subList(6, 10));
    }
}
