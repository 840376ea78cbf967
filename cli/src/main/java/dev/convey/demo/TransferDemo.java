package dev.convey.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.convey.data.FashionMnist;
import dev.convey.keras.KerasModelFile;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;
import dev.convey.training.Adam;
import dev.convey.training.FitOptions;
import dev.convey.training.LearningCurvePlot;
import dev.convey.training.Optimizer;

/**
 * The demo: learn 5 new classes (sandals, shirts, sneakers, bags, ankle boots) from only 50 labelled images
 * each, and compare three ways on all 5000 test images of those classes.
 * <ol>
 *   <li><b>from scratch</b>: {@link FashionVgg} with fresh weights, every layer trained on the 250 images;
 *   <li><b>frozen base + new head</b>: the base pretrained on classes 0-4 ({@code pretrained_base.h5}) frozen,
 *       only a new Flatten + Dense softmax head trained (Keras: {@code base.trainable = False});
 *   <li><b>fine-tuned</b>: model 2 continued with its last conv block unfrozen, recompiled with a 10x smaller
 *       learning rate so that the pretrained features are adjusted, not overwritten.
 * </ol>
 * Every run starts from fixed seeds (weight initialisation and the shuffling of each epoch), so the numbers
 * repeat exactly.
 */
public final class TransferDemo {

    /**
     * The knobs, {@link #DEFAULT} being the demo's. {@code curveImages} target-test images are also evaluated
     * after every epoch for the learning curves ("validation"); they only draw the curves, no choice depends on
     * them, and the table reports all 5000 test images.
     */
    public record Settings(long seed, int epochs, int fineTuneEpochs, int batchSize, double learningRate,
                           double fineTuneLearningRate, int curveImages) {
        public static final Settings DEFAULT = new Settings(7, 20, 10, 25, 1e-3, 1e-4, 250);
    }

    /** One row of the table. */
    public record Outcome(String name, String training, long trainableParams, double testAccuracy,
                          double testLoss, double seconds, Path curves) {
    }

    /** The base pretrained on classes 0-4, shipped in src-test-data ({@code convey pretrain} remakes it). */
    public static final String SHIPPED_BASE = "fashion-mnist/pretrained_base.h5";

    private final Settings settings;
    private final Path outputDir;
    private final FashionMnist.Subset train = FashionMnist.loadShipped(FashionMnist.Part.TARGET_TRAIN);
    private final FashionMnist.Subset test = FashionMnist.loadShipped(FashionMnist.Part.TARGET_TEST);

    /** @param outputDir where the learning-curve PNGs go */
    public TransferDemo(Settings settings, Path outputDir) {
        this.settings = settings;
        this.outputDir = outputDir;
    }

    public FashionMnist.Subset trainingData() {
        return train;
    }

    public FashionMnist.Subset testData() {
        return test;
    }

    /** Loads the shipped pretrained base (extracted from the jar to a temporary file: HDF5 needs a real file). */
    public static Model shippedBase() {
        return KerasModelFile.load(TestData.file(SHIPPED_BASE));
    }

    /** The three models in order: from scratch, frozen base + head, fine-tuned. */
    public List<Outcome> run(Supplier<Model> pretrainedBase) {
        List<Outcome> outcomes = new ArrayList<>();
        int classes = train.classNames().size();

        // (1) The same network, fresh weights, everything trainable.
        Layer.setRandomSeed(settings.seed());
        Model scratch = FashionVgg.classifier(FashionVgg.base(), classes, "from_scratch");
        outcomes.add(train("from scratch", "all layers, fresh weights", scratch,
                new Adam(settings.learningRate()), settings.epochs(), "scratch"));

        // (2) Keras' recipe: base.trainable = False, a new head on top, compile, fit.
        Layer.setRandomSeed(settings.seed());
        Model base = pretrainedBase.get();
        base.setTrainable(false);
        Model transfer = FashionVgg.classifier(base, classes, "transfer");
        outcomes.add(train("frozen base + new head", "head only, base pretrained on classes 0-4", transfer,
                new Adam(settings.learningRate()), settings.epochs(), "frozen_base"));

        // (3) Unfreeze block 2 (block 1 stays frozen), recompile with a small learning rate, train on.
        base.freezeUpTo(FashionVgg.LAST_FROZEN_WHEN_FINE_TUNING);
        outcomes.add(train("fine-tuned", "head + block2, after (2), lr / 10", transfer,
                new Adam(settings.fineTuneLearningRate()), settings.fineTuneEpochs(), "fine_tuned"));
        return outcomes;
    }

    /** compile, fit on the 250 training images, evaluate on the 5000 test images. */
    private Outcome train(String name, String training, Model model, Optimizer optimizer, int epochs, String file) {
        long start = System.nanoTime();
        model.compile(optimizer, "categorical_crossentropy", "accuracy");
        long trainable = model.trainer().trainableWeights().stream().mapToLong(p -> p.value().size()).sum();
        Path curves = outputDir.resolve("learning_curves_" + file + ".png");
        Tensor curveX = test.images().batchSlice(0, settings.curveImages());
        Tensor curveY = test.oneHotLabels().batchSlice(0, settings.curveImages());
        model.fit(train.images(), train.oneHotLabels(), FitOptions.builder().batchSize(settings.batchSize())
                .epochs(epochs).seed(settings.seed()).validationData(curveX, curveY).verbose(false)
                .callbacks(new LearningCurvePlot(curves)).build());
        Map<String, Double> result = model.evaluate(test.images(), test.oneHotLabels(), 250);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(name, training, trainable, result.get("accuracy"), result.get("loss"), seconds, curves);
    }
}
