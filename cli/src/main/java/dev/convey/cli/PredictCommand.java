package dev.convey.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.convey.applications.ImageNet;
import dev.convey.data.Images;
import dev.convey.data.Interpolation;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code convey predict}: Keras' classification example end to end, for each image
 * <pre>
 *   img = load_img(path, target_size=(224, 224)); x = preprocess_input(img_to_array(img)[None])
 *   decode_predictions(model.predict(x), top=5)
 * </pre>
 * printing one line {@code wnid label probability} per guess. With several images each line starts with the
 * image's path and a colon, as grep does with several files.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify images with an ImageNet classifier and print the top classes: wnid label probability.")
final class PredictCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource model;

    @Option(names = "--top", defaultValue = "5", paramLabel = "K", description = "Classes per image (default 5).")
    int top;

    @Option(names = "--interpolation", defaultValue = "nearest", paramLabel = "nearest|bilinear|...",
            description = "Resizing filter, as Keras' load_img (default nearest).")
    String interpolation;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Images per batch (default 32).")
    int batchSize;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|csv|json",
            description = "Output of a model trained by 'convey train' (--model-file): text (default), csv or json.")
    String format;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (JPEG, PNG, BMP, GIF) or folders.")
    List<Path> images;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (model.application != null && model.application.noTop) {
            throw new IllegalArgumentException("predict needs the ImageNet classifier: leave out --no-top");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (model.modelFile != null) {
            SavedClassifier saved = SavedClassifier.load(model.modelFile);
            if (saved.metadata != null) {
                return new ClassifierOutput(saved, top, batchSize, format, spec.commandLine().getOut(),
                        spec.commandLine().getErr()).run(SavedClassifier.expand(images));
            }
        }
        Interpolation filter = Interpolation.of(interpolation);
        Model network = model.load();
        int[] inputShape = network.input().shape();
        if (inputShape.length != 3 || inputShape[0] == Shapes.UNKNOWN || inputShape[1] == Shapes.UNKNOWN) {
            throw new IllegalArgumentException("predict needs a model with a fixed image size; " + network.name()
                    + " takes " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, inputShape)));
        }
        PrintWriter out = spec.commandLine().getOut();
        for (int start = 0; start < images.size(); start += batchSize) {
            List<Path> chunk = images.subList(start, Math.min(images.size(), start + batchSize));
            Tensor probabilities = model.isTorchvision()
                    ? TorchvisionSource.softmax(network.forward(TorchvisionSource.preprocess(chunk, inputShape[0])))
                    : network.forward(ImageNet.preprocessInput(
                            loadBatch(chunk, inputShape[0], inputShape[1], filter), model.preprocessMode()));
            List<List<ImageNet.Prediction>> decoded = ImageNet.decodePredictions(probabilities, top);
            for (int i = 0; i < chunk.size(); i++) {
                String prefix = images.size() > 1 ? chunk.get(i) + ": " : "";
                for (ImageNet.Prediction p : decoded.get(i)) {
                    out.println(prefix + p.wnid() + " " + p.label() + " " + String.format(Locale.ROOT, "%.6f", p.probability()));
                }
            }
        }
        out.flush();
        return 0;
    }

    /** load_img + img_to_array for each file, stacked into (N, H, W, 3) (preprocess_input comes after). */
    private static Tensor loadBatch(List<Path> files, int height, int width, Interpolation filter) {
        Tensor batch = Tensor.zeros(files.size(), height, width, 3);
        for (int i = 0; i < files.size(); i++) {
            batch.batchSlice(i, 1).copyFrom(Images.load(files.get(i), height, width, filter).reshape(1, height, width, 3));
        }
        return batch;
    }
}
