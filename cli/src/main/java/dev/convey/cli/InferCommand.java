package dev.convey.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.convey.io.Npy;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convey infer}: a model's output (or one layer's) for a .npy batch of preprocessed images. */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Run a model on preprocessed images (NHWC float32 .npy) and write its output as float32 .npy.")
final class InferCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource model;

    @Option(names = "--input", required = true, paramLabel = "X.npy",
            description = "The model's input with the batch first, any rank: images (N, H, W, C) already preprocessed"
                    + " (e.g. caffe mode for VGG16/ResNet50), features (N, F), sequences (N, steps, channels).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Where to write the output.")
    Path output;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Run up to this layer and write its output (e.g. block5_pool, fc2).")
    String layer;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Images per batch (default 32).")
    int batchSize;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model network = model.load();
        if (layer != null) {
            // Keras' Model(model.input, model.get_layer(name).output): the same layers, cut at `layer`.
            network = new Model(network.inputs(), network.outputOf(layer), network.name() + "_to_" + layer);
        }
        Tensor x = Npy.read(input);
        int[] expected = network.input().shape();
        if (x.rank() != expected.length + 1) {
            throw new IllegalArgumentException(input + " has shape " + Shapes.toString(x.shape())
                    + "; the model expects " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, expected)));
        }
        Tensor y = network.predict(x, batchSize);
        Npy.write(output, y);
        spec.commandLine().getOut().println("Wrote " + output + " " + Shapes.toString(y.shape()));
        return 0;
    }
}
