package dev.convey.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ImageNet;
import dev.convey.applications.MobileNet;
import dev.convey.data.ArraySequence;
import dev.convey.data.BatchSequence;
import dev.convey.data.ImageDataGenerator;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;
import dev.convey.training.Adam;
import dev.convey.training.LearningCurvePlot;
import dev.convey.training.Optimizer;

/**
 * The main job: transfer learning on real photos, Keras' recipe. MobileNet (alpha 0.25) with Keras' own ImageNet
 * weights ({@code keras-real/mobilenet_2_5_224_tf_no_top.h5}) learns ants versus bees from the 245 hymenoptera
 * training photos and is scored on the 153 validation photos, three ways side by side:
 * <ol>
 *   <li><b>frozen base + new head</b>: {@code base.trainable = False}, GlobalAveragePooling2D, Dropout, Dense
 *       softmax, trained with augmentation (horizontal flip, zoom, shear: ImageDataGenerator);
 *   <li><b>fine-tuned</b>: model 1 with the convolutions of the top blocks (12 and 13) unfrozen (their batch norms
 *       stay frozen, in inference mode), recompiled with a 10x smaller learning rate, trained on;
 *   <li><b>from scratch</b>: the same network with fresh weights, every layer trained (fewer epochs than 1 and 2
 *       together: its epochs cost 3x a frozen one, and on 245 photos it stays near chance however long it runs).
 * </ol>
 * Also a linear probe: the frozen base's pooled features with an L2-regularised logistic regression.
 * Fixed seeds, so the numbers repeat.
 */
public final class PhotoDemo {

    /** The knobs; {@link #DEFAULT} is the demo's. */
    public record Settings(long seed, int imageSize, int batchSize, int frozenEpochs, int fineTuneEpochs,
                           int scratchEpochs, double learningRate, double fineTuneLearningRate) {
        public static final Settings DEFAULT = new Settings(7, 224, 16, 8, 3, 4, 5e-3, 5e-4);
    }

    /** One row of the table. */
    public record Outcome(String name, String training, long trainableParams, double valAccuracy, double valLoss,
                          double seconds, Path curves) {
    }

    public static final String WEIGHTS = "keras-real/mobilenet_2_5_224_tf_no_top.h5";
    /** The layers fine-tuning unfreezes: the convolutions of MobileNet's last two blocks. */
    static final List<String> FINE_TUNED = List.of("conv_dw_12", "conv_pw_12", "conv_dw_13", "conv_pw_13");

    private final Settings settings;
    private final Path outputDir;
    private final Hymenoptera.Split train;
    private final Hymenoptera.Split val;
    private final Tensor trainX;
    private final Tensor valX;

    public PhotoDemo(Settings settings, Path outputDir) {
        this.settings = settings;
        this.outputDir = outputDir;
        this.train = Hymenoptera.load("train", settings.imageSize());
        this.val = Hymenoptera.load("val", settings.imageSize());
        this.trainX = ImageNet.preprocessInput(train.images(), "tf");
        this.valX = ImageNet.preprocessInput(val.images(), "tf");
    }

    public Hymenoptera.Split trainingData() {
        return train;
    }

    public Hymenoptera.Split validationData() {
        return val;
    }

    /** MobileNet alpha 0.25 without its top, for the demo's image size; shipped ImageNet weights or fresh ones. */
    private Model base(boolean pretrained) {
        int s = settings.imageSize();
        return MobileNet.create(new ApplicationOptions().alpha(0.25).includeTop(false).inputShape(s, s, 3)
                .weights(pretrained ? TestData.file(WEIGHTS).toString() : null));
    }

    /** base -> GlobalAveragePooling2D -> Dropout(0.2) -> Dense(2, softmax). */
    private static Model classifier(Model base, String name) {
        SymbolicTensor x = new GlobalAveragePooling2D().apply(base.output());
        x = new Dropout(0.2).apply(x);
        x = new Dense(Hymenoptera.CLASSES.size()).activation("softmax").apply(x);
        return new Model(base.input(), x, name);
    }

    /** frozen base + head, fine-tuned, from scratch (in that order), and writes the contact sheet. */
    public List<Outcome> run() throws IOException {
        List<Outcome> outcomes = new ArrayList<>();
        Layer.setRandomSeed(settings.seed());
        Model base = base(true);
        base.setTrainable(false);
        Model transfer = classifier(base, "transfer");
        outcomes.add(train("frozen base + new head", "head only, ImageNet base frozen", transfer,
                new Adam(settings.learningRate()), settings.frozenEpochs(), "frozen_base"));

        for (String name : FINE_TUNED) {
            base.getLayer(name).setTrainable(true);
        }
        outcomes.add(train("fine-tuned", "head + blocks 12-13 convs, lr / 10", transfer,
                new Adam(settings.fineTuneLearningRate()), settings.fineTuneEpochs(), "fine_tuned"));
        writeContactSheet(transfer, 24);

        Layer.setRandomSeed(settings.seed());
        Model scratch = classifier(base(false), "from_scratch");
        outcomes.add(train("from scratch", "all layers, fresh weights", scratch, new Adam(settings.learningRate()),
                settings.scratchEpochs(), "scratch"));
        return outcomes;
    }

    /** {@code count} validation photos evenly spaced over the (sorted: ants, then bees) list, with the model's guesses. */
    private void writeContactSheet(Model model, int count) throws IOException {
        int s = settings.imageSize();
        Tensor photos = Tensor.zeros(count, s, s, 3);
        Tensor inputs = Tensor.zeros(count, s, s, 3);
        int[] truth = new int[count];
        for (int k = 0; k < count; k++) {
            int i = (int) ((long) k * val.size() / count);
            photos.batchSlice(k, 1).copyFrom(val.images().batchSlice(i, 1));
            inputs.batchSlice(k, 1).copyFrom(valX.batchSlice(i, 1));
            truth[k] = val.label(i);
        }
        ContactSheet.write(contactSheet(), photos, model.predict(inputs, count), truth, Hymenoptera.CLASSES, count, 6);
    }

    /** The contact sheet of the fine-tuned model's validation predictions. */
    public Path contactSheet() {
        return outputDir.resolve("predictions.png");
    }

    private Outcome train(String name, String training, Model model, Optimizer optimizer, int epochs, String file) {
        long start = System.nanoTime();
        model.compile(optimizer, "categorical_crossentropy", "accuracy");
        long trainable = model.trainer().trainableWeights().stream().mapToLong(p -> p.value().size()).sum();
        Path curves = outputDir.resolve("learning_curves_" + file + ".png");
        ImageDataGenerator augment = new ImageDataGenerator().horizontalFlip(true).zoomRange(0.2).shearRange(0.2);
        BatchSequence trainFlow = augment.flow(trainX, train.labels(), settings.batchSize(), true, settings.seed(), null);
        BatchSequence valFlow = new ArraySequence(valX, val.labels(), 32);
        model.fit(trainFlow, epochs, valFlow, new LearningCurvePlot(curves));
        Map<String, Double> result = model.evaluate(valFlow);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(name, training, trainable, result.get("accuracy"), result.get("loss"), seconds, curves);
    }

    /** The linear probe: pooled frozen features + L2 logistic regression, its accuracy on val. */
    public double linearProbeAccuracy() {
        Model base = MobileNet.create(new ApplicationOptions().alpha(0.25).includeTop(false).pooling("avg")
                .inputShape(settings.imageSize(), settings.imageSize(), 3).weights(TestData.file(WEIGHTS).toString()));
        Tensor ft = base.predict(trainX, 32);
        Tensor fv = base.predict(valX, 32);
        return LogisticRegression.fitAndScore(ft, labels(train), fv, labels(val));
    }

    static int[] labels(Hymenoptera.Split split) {
        int[] out = new int[split.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = split.label(i);
        }
        return out;
    }
}
