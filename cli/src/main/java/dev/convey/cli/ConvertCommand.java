package dev.convey.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.convey.keras.KerasFiles;
import dev.convey.models.Model;
import dev.convey.torch.TorchConvert;
import dev.convey.torch.TorchvisionModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code convey convert IN OUT}: a Keras model between the formats, chosen by OUT's name: {@code .keras}
 * (Keras 3 zip), {@code .weights.h5} (Keras 3 weights only), anything else legacy full-model {@code .h5}. IN is
 * recognised by its content. A weights-only IN needs {@code --architecture}, a model file giving the layers.
 *
 * <p>With {@code --model torchvision/NAME} IN and OUT are that torchvision architecture in any of its files: a
 * PyTorch state_dict ({@code .pth}/{@code .pt}, {@code .safetensors}) or a Keras model ({@code .keras},
 * {@code .h5}), e.g. a PyTorch checkpoint to Keras, or a model {@code convey train --base torchvision/NAME}
 * made back to a state_dict that {@code torchvision.models.NAME().load_state_dict(torch.load(OUT))} accepts.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Keras model between .keras, .weights.h5 and legacy .h5 (format by OUT's extension);"
                + " with --model torchvision/NAME, between PyTorch state_dicts (.pth, .safetensors) and Keras files.")
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "A .keras, legacy .h5 or .weights.h5 file.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write: *.keras, *.weights.h5 or *.h5.")
    Path output;

    @Option(names = "--architecture", paramLabel = "MODEL_FILE",
            description = "For a weights-only IN: a .keras or .h5 model file whose architecture the weights fit.")
    Path architecture;

    @Option(names = "--model", paramLabel = "torchvision/NAME",
            description = "IN and OUT hold this torchvision architecture: .pth/.pt/.safetensors state_dicts or"
                    + " .keras/.h5 Keras models (e.g. torchvision/resnet50).")
    String torchvision;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        requireFile(input);
        if (torchvision != null) {
            return convertTorchvision();
        }
        Model model;
        KerasFiles.Format format = KerasFiles.format(input);
        if (format == KerasFiles.Format.KERAS_ZIP || format == KerasFiles.Format.LEGACY_MODEL_H5) {
            model = KerasFiles.loadModel(input);
        } else {
            if (architecture == null) {
                throw new IllegalArgumentException(input + " holds weights only: give --architecture MODEL_FILE");
            }
            requireFile(architecture);
            model = KerasFiles.loadModel(architecture);
            KerasFiles.loadWeights(model, input);
        }
        KerasFiles.save(model, output);
        spec.commandLine().getOut().println("Wrote " + output + " (" + model.layers().size() + " layers, "
                + model.countParams() + " parameters)");
        return 0;
    }

    private Integer convertTorchvision() throws java.io.IOException {
        if (!TorchvisionSource.handles(torchvision)) {
            throw new IllegalArgumentException("--model must be torchvision/NAME, got '" + torchvision + "'");
        }
        if (architecture != null) {
            throw new IllegalArgumentException("--architecture is for Keras weights files; --model " + torchvision
                    + " gives the architecture");
        }
        String name = torchvision.substring(TorchvisionSource.PREFIX.length());
        TorchvisionModel model = TorchConvert.convert(name, input, output);
        spec.commandLine().getOut().println("Wrote " + output + " (" + torchvision + ", "
                + model.model().countParams() + " parameters, "
                + (TorchConvert.isKeras(output) ? "a Keras model" : "a PyTorch state_dict") + ")");
        return 0;
    }

    private static void requireFile(Path p) throws NoSuchFileException {
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString(), null, "no such file");
        }
    }
}
