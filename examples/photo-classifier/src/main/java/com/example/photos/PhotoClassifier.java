package com.example.photos;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.Applications;
import dev.convey.data.BatchSequence;
import dev.convey.data.ImageAugmentation;
import dev.convey.data.ImageDataset;
import dev.convey.data.ImageDatasets;
import dev.convey.keras.KerasModelFile;
import dev.convey.keras.ModelMetadata;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.training.Adam;
import dev.convey.models.TransferLearning;

import java.nio.file.Path;
import java.util.Map;

/**
 * Transfer learning in a project of your own: MobileNet (alpha 0.25, ImageNet weights) as a frozen feature
 * extractor, a new head trained on a folder of photos, evaluated on another, saved with its class names.
 *
 * <pre>
 *   PhotoClassifier TRAIN_DIR VAL_DIR MOBILENET_NO_TOP.h5 OUTPUT.h5
 * </pre>
 * ({@code mvn exec:java} passes Convey's shipped ants/bees photos and MobileNet weights: see the pom).
 */
public final class PhotoClassifier {

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: PhotoClassifier TRAIN_DIR VAL_DIR MOBILENET_NO_TOP.h5 OUTPUT.h5");
            System.exit(2);
        }
        Path train = Path.of(args[0]);
        Path val = Path.of(args[1]);
        String weights = args[2];
        Path output = Path.of(args[3]);
        Layer.setRandomSeed(1337);

        // keras.utils.image_dataset_from_directory(..., label_mode="categorical", image_size=(224, 224))
        ImageDataset trainSet = ImageDatasets.fromDirectory(train, ImageDatasets.options().imageSize(224, 224)
                .labelMode(ImageDatasets.LabelMode.CATEGORICAL).seed(1337));
        ImageDataset valSet = ImageDatasets.fromDirectory(val, ImageDatasets.options().imageSize(224, 224)
                .labelMode(ImageDatasets.LabelMode.CATEGORICAL).shuffle(false).classNames(trainSet.classNames()));

        // keras.applications.MobileNet(include_top=False, weights=..., alpha=0.25) + preprocess_input
        Applications.Application mobilenet = Applications.get("mobilenet");
        Model base = mobilenet.create(new ApplicationOptions().includeTop(false).weights(weights)
                .inputShape(224, 224, 3).alpha(0.25));
        BatchSequence trainBatches = ImageAugmentation.mapInputs(trainSet, mobilenet::preprocessInput);
        BatchSequence valBatches = ImageAugmentation.mapInputs(valSet, mobilenet::preprocessInput);

        // Frozen base, new head; the head trains on the base's features computed once.
        TransferLearning tl = TransferLearning.on(base).head("gap,dense:64:relu,dropout:0.3")
                .classes(trainSet.classNames().size());
        Model model = tl.build();
        Tensor[] trainFeatures = tl.extractFeatures(trainBatches, 32);
        Tensor[] valFeatures = tl.extractFeatures(valBatches, 32);
        tl.trainHeadOnFeatures(new Adam(0.002), trainFeatures, valFeatures, 32, 15, 1337);

        model.compile(new Adam(), "categorical_crossentropy", "accuracy");
        Map<String, Double> result = model.evaluate(valBatches);
        System.out.printf("%s on %d validation photos: loss %.4f, accuracy %.4f%n", trainSet.classNames(),
                valSet.sampleCount(), result.get("loss"), result.get("accuracy"));
        KerasModelFile.save(model, output, new ModelMetadata(trainSet.classNames(), mobilenet.preprocessMode(),
                new int[] {224, 224}, "rgb", mobilenet.name()));
        System.out.println("Saved " + output + " (convey predict --model-file " + output + " PHOTO...)");
        if (result.get("accuracy") < 0.8) {
            System.err.println("accuracy below 0.8: something is wrong");
            System.exit(1);
        }
    }
}
