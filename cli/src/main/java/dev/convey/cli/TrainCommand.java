package dev.convey.cli;

import dev.convey.data.BatchSequence;
import dev.convey.data.ImageAugmentation;
import dev.convey.data.ImageDataset;
import dev.convey.data.ImageDatasets;
import dev.convey.data.Prefetcher;
import dev.convey.keras.KerasArchive;
import dev.convey.keras.KerasModelFile;
import dev.convey.keras.ModelMetadata;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;
import dev.convey.training.Callback;
import dev.convey.training.EarlyStopping;
import dev.convey.training.History;
import dev.convey.training.LearningCurvePlot;
import dev.convey.training.ModelCheckpoint;
import dev.convey.models.TransferLearning;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convey train}: a classifier from a folder of photos, the Keras recipe without Python:
 * <pre>
 *   base = keras.applications.NAME(include_top=False, weights=W, input_shape=(H, W, 3)); base.trainable = False
 *   x = head(base.output); outputs = Dense(len(class_names), activation="softmax")(x)
 *   train, val = image_dataset_from_directory(DIR, label_mode="categorical", validation_split=F, subset="both",
 *                                             seed=S, image_size=(H, W))
 *   model.compile(optimizer, "categorical_crossentropy", ["accuracy"]); model.fit(train, epochs=N, validation_data=val)
 *   for layer in base.layers[-K:]: layer.trainable = not isinstance(layer, BatchNormalization)
 *   model.compile(optimizer(learning_rate=LR), ...); model.fit(train, epochs=M, validation_data=val)
 *   model.save(OUTPUT)      # + class names, preprocess_input mode and image size (ModelMetadata)
 * </pre>
 * Writes {@code OUTPUT}, the best epoch's model {@code OUTPUT-best.h5} (by val_accuracy, else accuracy) and the
 * learning curves {@code OUTPUT-curves.png} (and {@code -fine-tune-curves.png}).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a classifier on a folder of images (one sub-folder per class): a pretrained base, "
                + "a new head, optional fine-tuning; saves the model with its class names.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    BaseOptions base;

    @Mixin
    ImageFolderOptions images;

    @Option(names = "--validation-data", paramLabel = "DIR", description = "Validation images, same class folders.")
    Path validationData;

    @Option(names = "--validation-split", defaultValue = "0", paramLabel = "F",
            description = "Hold out this fraction of --data for validation (Keras' seeded split).")
    double validationSplit;

    @Option(names = "--head", defaultValue = "gap", paramLabel = "SPEC",
            description = "Head layers, e.g. gap,dense:1024:relu,dropout:0.2 (default gap); a softmax Dense follows.")
    String head;

    @Option(names = "--augment", paramLabel = "SPEC",
            description = "Training augmentation, e.g. flip,rotate:0.1,zoom:0.2,shear:0.2,shift:0.1,contrast:0.1.")
    String augment;

    @Option(names = "--epochs", required = true, paramLabel = "N", description = "Epochs with the base frozen.")
    int epochs;

    @Mixin
    Optimizers optimizer;

    @Option(names = "--fine-tune-layers", defaultValue = "0", paramLabel = "N",
            description = "Phase 2: unfreeze the top N layers of the base (BatchNormalization stays frozen).")
    int fineTuneLayers;

    @Option(names = "--fine-tune-epochs", defaultValue = "0", paramLabel = "M", description = "Epochs of phase 2.")
    int fineTuneEpochs;

    @Option(names = "--fine-tune-lr", defaultValue = "1e-5", paramLabel = "F", description = "Phase 2 rate (1e-5).")
    double fineTuneLr;

    @Option(names = "--class-weight", paramLabel = "auto|CLASS:W,...",
            description = "Keras' class_weight: auto (n / (classes * count), balanced) or e.g. 0:1.0,1:2.5 or ants:1,bees:2.5.")
    String classWeight;

    @Option(names = "--early-stopping", paramLabel = "PATIENCE",
            description = "Stop a phase when val_loss (else loss) has not improved for PATIENCE epochs; best weights kept.")
    Integer earlyStopping;

    @Option(names = "--cache-features", description = "Phase 1 on the frozen base's outputs computed once (no augmentation).")
    boolean cacheFeatures;

    @Option(names = "--seed", defaultValue = "1337", paramLabel = "N", description = "Seed of shuffling, split, augmentation.")
    long seed;

    @Option(names = "--output", required = true, paramLabel = "MODEL.h5", description = "Where to save the model.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkArguments();
        int[] imageSize = base.imageSize;
        Path data = images.data;
        int batchSize = images.batchSize();
        PrintWriter out = spec.commandLine().getOut();
        ImageDatasets.Options options = ImageDatasets.options().imageSize(imageSize[0], imageSize[1])
                .batchSize(batchSize).labelMode(ImageDatasets.LabelMode.CATEGORICAL).seed(seed);
        ImageDataset train;
        ImageDataset validation = null;
        if (validationSplit > 0) {
            List<ImageDataset> both = ImageDatasets.fromDirectoryBoth(data, options.validationSplit(validationSplit)
                    .subset("both"));
            train = both.get(0);
            validation = both.get(1);
        } else {
            train = ImageDatasets.fromDirectory(data, options);
            if (validationData != null) {
                validation = ImageDatasets.fromDirectory(validationData, ImageDatasets.options()
                        .imageSize(imageSize[0], imageSize[1]).batchSize(batchSize).shuffle(false)
                        .labelMode(ImageDatasets.LabelMode.CATEGORICAL).classNames(train.classNames()));
            }
        }
        out.printf(Locale.ROOT, "Found %d files belonging to %d classes %s%s%n", train.sampleCount(),
                train.classNames().size(), train.classNames(),
                validation != null ? "; " + validation.sampleCount() + " for validation" : "");
        ModelMetadata metadata = base.metadata(train.classNames());

        Model baseModel = base.create(null);
        TransferLearning tl = TransferLearning.on(baseModel).head(head).classes(train.classNames().size());
        if (classWeight != null) {
            Map<Integer, Double> weights = ClassWeightOption.parse(classWeight, train.classNames(), train.labels());
            tl.classWeight(weights);
            out.println("Class weights: " + ClassWeightOption.describe(weights, train.classNames()));
        }
        Layer.setRandomSeed(seed);     // the head's initial weights depend on the seed alone, not on the base
        Model model = tl.build();
        BatchSequence trainBatches = ImageAugmentation.mapInputs(augment == null || cacheFeatures ? train
                : ImageAugmentation.parse(augment).on(train, seed), metadata::preprocess);
        BatchSequence validationBatches = validation == null ? null
                : ImageAugmentation.mapInputs(validation, metadata::preprocess);

        String stem = output.toString().replaceFirst("\\.(h5|keras)$", "");
        Path best = Path.of(stem + "-best" + output.toString().substring(stem.length()));
        out.printf(Locale.ROOT, "Phase 1: %s base frozen (%d layers), head %s -> Dense(%d, softmax)%n", base.name,
                baseModel.layers().size(), head, train.classNames().size());
        out.flush();
        long start = System.nanoTime();
        History phase1;
        if (cacheFeatures) {
            Tensor[] trainFeatures = tl.extractFeatures(trainBatches, batchSize);
            Tensor[] validationFeatures = validationBatches == null ? null
                    : tl.extractFeatures(validationBatches, batchSize);
            out.printf(Locale.ROOT, "Cached the base's features of %d images%n", trainFeatures[0].dim(0));
            phase1 = tl.trainHeadOnFeatures(optimizer.create(), trainFeatures,
                    validationFeatures, batchSize, epochs, seed, callbacks(model, validation != null, best, stem + "-curves.png",
                            metadata));
        } else {
            try (Prefetcher prefetched = new Prefetcher(trainBatches)) {
                phase1 = tl.trainHead(optimizer.create(), prefetched, validationBatches,
                        epochs, callbacks(model, validation != null, best, stem + "-curves.png", metadata));
            }
        }
        report(out, "Phase 1", phase1, start);
        if (fineTuneLayers > 0 && fineTuneEpochs > 0) {
            List<Layer> unfrozen = TransferLearning.unfreezeTop(baseModel, fineTuneLayers);
            out.printf(Locale.ROOT, "Phase 2: top %d layers of the base unfrozen (%d with weights trained, "
                    + "BatchNormalization kept frozen), learning rate %s%n", fineTuneLayers, unfrozen.size(), fineTuneLr);
            out.flush();
            start = System.nanoTime();
            try (Prefetcher prefetched = new Prefetcher(trainBatches)) {
                History phase2 = tl.fineTune(fineTuneLayers, optimizer.create(fineTuneLr), prefetched,
                        validationBatches, fineTuneEpochs, callbacks(model, validation != null, best,
                                stem + "-fine-tune-curves.png", metadata));
                report(out, "Phase 2", phase2, start);
            }
        }
        save(model, output, metadata);
        out.println("Saved " + output + (Files.exists(best) ? " (best epoch: " + best + ")" : ""));
        out.flush();
        return 0;
    }

    private void checkArguments() throws java.nio.file.NoSuchFileException {
        base.check();
        if (validationSplit > 0 && validationData != null) {
            throw new IllegalArgumentException("give --validation-data or --validation-split, not both");
        }
        if (epochs < 0 || fineTuneEpochs < 0) {
            throw new IllegalArgumentException("--epochs and --fine-tune-epochs must be >= 0");
        }
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".h5") && !name.endsWith(".keras")) {
            throw new IllegalArgumentException("--output must end with .keras (Keras 3) or .h5 (legacy HDF5), got "
                    + output);
        }
    }

    private Callback[] callbacks(Model model, boolean validated, Path best, String curves, ModelMetadata metadata) {
        List<Callback> list = new ArrayList<>();
        list.add(new LearningCurvePlot(Path.of(curves)));
        if (best != null) {
            list.add(new ModelCheckpoint(best.toString(), validated ? "val_accuracy" : "accuracy", true,
                    (m, path) -> save(model, path, metadata)));
        }
        if (earlyStopping != null) {
            list.add(new EarlyStopping(validated ? "val_loss" : "loss", earlyStopping, 0, true));
        }
        return list.toArray(new Callback[0]);
    }

    private static void save(Model model, Path file, ModelMetadata metadata) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".keras")) {
            KerasArchive.save(model, file, metadata);
        } else {
            KerasModelFile.save(model, file, metadata);
        }
    }

    private static void report(PrintWriter out, String phase, History history, long start) {
        StringBuilder last = new StringBuilder();
        history.history().forEach((key, values) ->
                last.append(String.format(Locale.ROOT, " - %s: %.4f", key, values.get(values.size() - 1))));
        out.printf(Locale.ROOT, "%s: %d epoch(s) in %.1f s%s%n", phase, history.epochs().size(),
                (System.nanoTime() - start) / 1e9, last);
        out.flush();
    }
}
