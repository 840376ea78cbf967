package dev.convey.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.convey.io.Npy;
import dev.convey.io.Npz;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.training.Trainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convey infer}: a model's output (or some layers' outputs) for a batch in a .npy file, or for the
 * several inputs of a model in a .npz file (one array per input, named like the input), written as .npy, or as
 * .npz with one array per output named like the layer that produces it.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Run a model on preprocessed inputs (.npy, or .npz with one array per named input) and write"
                + " its output as float32 .npy, or several outputs as .npz.")
final class InferCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource model;

    @Option(names = "--input", required = true, paramLabel = "X.npy|X.npz",
            description = "The model's input with the batch first, any rank: images (N, H, W, C) already preprocessed"
                    + " (e.g. caffe mode for VGG16/ResNet50), features (N, F), sequences (N, steps, channels)."
                    + " A model with several inputs takes a .npz whose arrays are named like its inputs"
                    + " (np.savez(f, input_a=a, input_b=b)).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy|Y.npz",
            description = "Where to write the output: .npy, or .npz holding each output under its layer's name.")
    Path output;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Run up to this layer and write its output (e.g. block5_pool, fc2). Repeat it for several"
                    + " outputs (then --output must be a .npz).")
    List<String> layers;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Images per batch (default 32).")
    int batchSize;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model network = model.load();
        boolean npzOut = isNpz(output);
        List<String> outputs = layers == null || layers.isEmpty() ? List.of(network.output().layer().name()) : layers;
        if (outputs.size() > 1 && !npzOut) {
            throw new IllegalArgumentException("--output " + output + ": " + outputs.size() + " layers " + outputs
                    + " make several outputs; write them to a .npz");
        }
        // a .npy is one array, named in messages after its file
        Map<String, Tensor> arrays = isNpz(input) ? Npz.read(input)
                : Map.of(input.getFileName().toString().replaceFirst("(?i)\\.npy$", ""), Npy.read(input));
        Tensor[] x = network.orderInputs(arrays, input.toString());
        Map<String, Tensor> results = new LinkedHashMap<>();
        for (String name : outputs) {
            // Keras' Model(model.inputs, model.get_layer(name).output): the same layers, cut at `name`.
            Model cut = name.equals(network.output().layer().name()) ? network
                    : new Model(network.inputs(), network.outputOf(name), network.name() + "_to_" + name);
            results.put(name, Trainer.predict(cut, x, batchSize));
        }
        if (npzOut) {
            Npz.write(output, results);
        } else {
            Npy.write(output, results.values().iterator().next());
        }
        PrintWriter out = spec.commandLine().getOut();
        results.forEach((name, y) -> out.println("Wrote " + output + (npzOut ? " '" + name + "'" : "") + " "
                + Shapes.toString(y.shape())));
        return 0;
    }

    private static boolean isNpz(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz");
    }
}
