package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * The zoo models with ZeroPadding2D layers (MobileNetV2's and EfficientNetB0's correct_pad before each stride-2
 * depthwise conv and the stem, ResNet50's conv1_pad and pool1_pad, MobileNet's conv_pad_N, DenseNet121's), small
 * inputs, random weights: inference with the paddings folded into their readers (the default) is bit-identical
 * to inference with {@code convey.foldPadding=false}.
 */
class PaddingFoldZooTest {

    private static Model create(String name) {
        ApplicationOptions o = new ApplicationOptions().weights(null).includeTop(false).inputShape(64, 64, 3);
        return switch (name) {
            case "mobilenet_v2" -> MobileNetV2.create(o.alpha(0.35));
            case "efficientnet_b0" -> EfficientNet.create(0, o);
            case "resnet50" -> ResNet50.create(o);
            case "mobilenet" -> MobileNet.create(o.alpha(0.25));
            case "densenet121" -> DenseNet.create(121, o);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v2", "efficientnet_b0", "resnet50", "mobilenet", "densenet121"})
    void foldedEqualsUnfolded(String name) {
        Model m = create(name);
        Tensor x = PlainPath.gaussianImages(2, 64, 1);
        float[] folded = m.forward(x).toArray();
        float[] unfolded = PlainPath.forwardWithout(m, x, "convey.foldPadding");
        assertArrayEquals(unfolded, folded, name);
        assertArrayEquals(unfolded, m.forward(x).toArray(), name + " folded again");
        double sum = 0;
        for (float v : folded) {
            sum += Math.abs(v);
        }
        assertTrue(sum > 0 && Double.isFinite(sum), name + ": a real output, sum |y| = " + sum);
    }
}
