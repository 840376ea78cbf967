package dev.convey.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/** The benchmark's list of convolution shapes is exactly the set of distinct convolutions of the two models. */
class ConvShapeTest {

    @Test
    void theBenchmarkCoversEveryDistinctConvolutionOfVgg16AndResNet50() throws NoSuchFieldException {
        List<String> derived = new ArrayList<>();
        ConvShape.ofModels().keySet().forEach(s -> derived.add(s.key()));
        String[] listed = ConvBenchmark.class.getField("shape").getAnnotation(Param.class).value();
        assertEquals(derived, Arrays.asList(listed), "ConvBenchmark's @Param list, in model order");
    }

    @Test
    void keysReadBackAndCountMacs() {
        ConvShape first = ConvShape.parse("224x224x3-3x3s1-same-64");
        assertEquals(new ConvShape(224, 224, 3, 3, 3, 1, "same", 64), first);
        // 224 * 224 output pixels, each a 3x3x3 patch times 64 filters.
        assertEquals(224L * 224 * 27 * 64, first.forwardMacs());
        // ResNet50's stem: 230 padded pixels, 7x7 valid, stride 2 -> 112.
        assertEquals(112L * 112 * 49 * 3 * 64, ConvShape.parse("230x230x3-7x7s2-valid-64").forwardMacs());
        // A strided 1x1 convolution: 56 -> 28.
        assertEquals(28L * 28 * 256 * 512, ConvShape.parse("56x56x256-1x1s2-valid-512").forwardMacs());
    }

    @Test
    void macsOfTheClassifiersAreThePublishedFigures() {
        // VGG16 15.47 GMAC and ResNet50 3.86 GMAC per 224 x 224 image; the shapes suffice (random weights).
        assertEquals(15.47e9, Models.macsPerImage(Models.classifier(Models.VGG16_NAME, false)), 0.005e9);
        assertEquals(3.86e9, Models.macsPerImage(Models.classifier(Models.RESNET50_NAME, false)), 0.005e9);
    }
}
