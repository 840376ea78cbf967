package dev.convey.demo;

import java.util.Map;

import dev.convey.data.ArraySequence;
import dev.convey.data.BatchSequence;
import dev.convey.data.FashionMnist;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.training.Adam;
import dev.convey.training.Callback;
import dev.convey.training.FitOptions;

/**
 * How the shipped {@code pretrained_base.h5} was made: {@link FashionVgg} trained from scratch on the 10 000
 * {@link FashionMnist.Part#PRETRAIN} images of classes 0-4 (tops, trousers, pullovers, dresses, coats), with a
 * fixed seed. A shuffled tenth of them is held out to report the accuracy on classes 0-4 that the base reaches.
 */
public final class Pretraining {

    /** The recipe; {@link #DEFAULT} made the shipped file. */
    public record Settings(long seed, int epochs, int batchSize, double learningRate, int heldOut) {
        public static final Settings DEFAULT = new Settings(42, 8, 64, 1e-3, 1000);
    }

    /** The trained classifier (base + 5-class head), its base, and its accuracy on the held-out images. */
    public record Result(Model classifier, Model base, double heldOutAccuracy, double trainAccuracy) {
    }

    private Pretraining() {
    }

    /** Trains base + head on classes 0-4 and returns them; {@code callbacks} see every epoch. */
    public static Result run(Settings settings, Callback... callbacks) {
        FashionMnist.Subset data = FashionMnist.loadShipped(FashionMnist.Part.PRETRAIN);
        // One "batch" of every sample in an order drawn from the seed: the shuffled data set.
        BatchSequence.Batch shuffled = new ArraySequence(data.images(), data.oneHotLabels(), data.size(), true,
                settings.seed()).get(0);
        Tensor x = shuffled.x();
        Tensor y = shuffled.y();
        int trainCount = data.size() - settings.heldOut();
        Tensor trainX = x.batchSlice(0, trainCount);
        Tensor trainY = y.batchSlice(0, trainCount);
        Tensor heldX = x.batchSlice(trainCount, settings.heldOut());
        Tensor heldY = y.batchSlice(trainCount, settings.heldOut());

        Layer.setRandomSeed(settings.seed());
        Model base = FashionVgg.base();
        Model classifier = FashionVgg.classifier(base, data.classNames().size(), "fashion_vgg_pretrain");
        classifier.compile(new Adam(settings.learningRate()), "categorical_crossentropy", "accuracy");
        var history = classifier.fit(trainX, trainY, FitOptions.builder().batchSize(settings.batchSize())
                .epochs(settings.epochs()).seed(settings.seed()).validationData(heldX, heldY).verbose(false)
                .callbacks(callbacks).build());
        Map<String, Double> held = classifier.evaluate(heldX, heldY, 250);
        return new Result(classifier, base, held.get("accuracy"), history.last("accuracy"));
    }
}
