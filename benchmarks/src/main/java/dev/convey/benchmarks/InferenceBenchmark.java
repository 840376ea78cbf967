package dev.convey.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * Full-size ImageNet classification: VGG16 (15.47 GMAC per image), ResNet50 (3.86 GMAC), MobileNet (0.57 GMAC) and
 * MobileNetV2 (0.30 GMAC), EfficientNetB0 (0.39 GMAC) and DenseNet121 (2.83 GMAC) on 224 x 224 images, Xception and
 * InceptionV3 at their 299 x 299, VGG19, ResNet101/152 and ResNet50V2/101V2/152V2 at 224 x 224 (GMAC per image:
 * {@code Models.macsPerImage}),
 * with synthetic weights, at batch 1 (latency) and batch 8 (throughput). One operation = one batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=8g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class InferenceBenchmark {

    @Param({Models.VGG16_NAME, Models.RESNET50_NAME, Models.MOBILENET_NAME, Models.MOBILENET_V2_NAME,
        Models.EFFICIENTNET_B0_NAME, Models.DENSENET121_NAME,
            Models.XCEPTION_NAME, Models.INCEPTION_V3_NAME, Models.VGG19_NAME, Models.RESNET101_NAME,
            Models.RESNET152_NAME, Models.RESNET50_V2_NAME, Models.RESNET101_V2_NAME, Models.RESNET152_V2_NAME,
            Models.EFFICIENTNET_B1_NAME, Models.EFFICIENTNET_B2_NAME, Models.EFFICIENTNET_B3_NAME,
            Models.EFFICIENTNET_B4_NAME, Models.EFFICIENTNET_B5_NAME, Models.EFFICIENTNET_B6_NAME,
            Models.EFFICIENTNET_B7_NAME, Models.DENSENET169_NAME, Models.DENSENET201_NAME})
    public String model;

    @Param({"1", "8"})
    public int batch;

    private Model network;
    private Tensor images;

    @Setup
    public void setUp() {
        network = Models.classifier(model);
        images = Models.images(model, network, batch);
    }

    /** Keras' {@code model(x, training=False)}: the 1000 class probabilities of each image. */
    @Benchmark
    public Tensor predict() {
        return network.forward(images);
    }
}
