package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * The zoo models whose RGB stem takes the implicit-patches path (ResNet50's 7x7 stride-2 conv1 after its folded
 * conv1_pad, MobileNetV2's and EfficientNetB0's 3x3 stride-2 stems), random weights, 10 classes, batch 3: the
 * class probabilities with the patch rows read from the image equal those with im2col
 * ({@code convey.conv.implicitPatches=false}) to 1e-5, and the top class is the same for every image.
 */
class ImplicitPatchesZooTest {

    private static Model create(String name) {
        ApplicationOptions o = new ApplicationOptions().weights(null).includeTop(true).classes(10).inputShape(96, 96, 3);
        return switch (name) {
            case "resnet50" -> ResNet50.create(o);
            case "mobilenet_v2" -> MobileNetV2.create(o.alpha(0.35));
            case "efficientnet_b0" -> EfficientNet.create(0, o);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet50", "mobilenet_v2", "efficientnet_b0"})
    void implicitPatchesGiveTheSamePredictionsAsIm2col(String name) {
        Model m = create(name);
        Tensor x = PlainPath.gaussianImages(3, 96, 3);
        float[] implicit = m.forward(x).toArray();
        float[] im2col = PlainPath.forwardWithout(m, x, "convey.conv.implicitPatches");
        assertEquals(im2col.length, implicit.length);
        for (int i = 0; i < im2col.length; i++) {
            assertEquals(im2col[i], implicit[i], 1e-5, name + ": probability " + i);
        }
        for (int image = 0; image < 3; image++) {
            assertEquals(argmax(im2col, image * 10), argmax(implicit, image * 10), name + ": image " + image);
        }
    }

    private static int argmax(float[] p, int from) {
        int best = from;
        for (int i = from; i < from + 10; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best - from;
    }
}
