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
import dev.convey.training.FitOptions;
import dev.convey.training.History;
import dev.convey.training.SGD;

/**
 * Transfer learning at full size: the convolutional base of VGG16 or ResNet50 (224 x 224, synthetic weights) under
 * a new head, GlobalAveragePooling2D + Dense(10, softmax), trained with SGD on categorical cross-entropy. One
 * operation = one {@code fit} step on one batch (forward in training mode, loss, backward, weight update):
 * <ul>
 *   <li>{@code trainAllLayers}: every layer trainable (fine-tuning); about 3x the forward FLOPs (forward, then
 *       dL/dW and dL/dx, each as large as the forward GEMM);
 *   <li>{@code trainNewHead}: the base frozen ({@code base.trainable = False}), only the head trains; backward
 *       stops at the head, so the step should cost little more than {@link #forward};
 *   <li>{@code forward}: inference on the same batch, the reference for the frozen step.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=12g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class TrainingBenchmark {

    /** A small step: the batch is repeated, and the benchmark must not drive synthetic weights to NaN. */
    private static final double LEARNING_RATE = 1e-4;

    /** A compiled transfer-learning model and one batch of images and labels. */
    @State(Scope.Benchmark)
    public abstract static class Setting {

        @Param({Models.VGG16_NAME, Models.RESNET50_NAME, Models.MOBILENET_NAME, Models.MOBILENET_V2_NAME,
            Models.EFFICIENTNET_B0_NAME, Models.DENSENET121_NAME,
                Models.XCEPTION_NAME, Models.INCEPTION_V3_NAME, Models.VGG19_NAME, Models.RESNET101_NAME,
                Models.RESNET152_NAME, Models.RESNET50_V2_NAME, Models.RESNET101_V2_NAME, Models.RESNET152_V2_NAME,
            Models.EFFICIENTNET_B1_NAME, Models.EFFICIENTNET_B2_NAME, Models.EFFICIENTNET_B3_NAME,
            Models.EFFICIENTNET_B4_NAME, Models.EFFICIENTNET_B5_NAME, Models.EFFICIENTNET_B6_NAME,
            Models.EFFICIENTNET_B7_NAME, Models.DENSENET169_NAME, Models.DENSENET201_NAME})
        public String model;

        @Param({"8"})
        public int batch;

        Model network;
        Tensor images;
        Tensor labels;
        FitOptions oneStep;

        abstract boolean baseTrainable();

        @Setup
        public void setUp() {
            network = Models.withNewHead(model, baseTrainable());
            network.compile(new SGD(LEARNING_RATE), "categorical_crossentropy");
            images = Models.images(batch);
            labels = Models.oneHotLabels(batch);
            // One epoch of exactly one batch, in order (views of the arrays, no copy), without a progress bar.
            oneStep = FitOptions.builder().batchSize(batch).epochs(1).shuffle(false).verbose(false).build();
        }
    }

    /** Fine-tuning: the base and the head trainable. */
    public static class AllLayers extends Setting {
        @Override
        boolean baseTrainable() {
            return true;
        }
    }

    /** Feature extraction: the base frozen, only the new head trainable. */
    public static class NewHead extends Setting {
        @Override
        boolean baseTrainable() {
            return false;
        }
    }

    @Benchmark
    public History trainAllLayers(AllLayers s) {
        return s.network.fit(s.images, s.labels, s.oneStep);
    }

    @Benchmark
    public History trainNewHead(NewHead s) {
        return s.network.fit(s.images, s.labels, s.oneStep);
    }

    @Benchmark
    public Tensor forward(NewHead s) {
        return s.network.forward(s.images);
    }
}
