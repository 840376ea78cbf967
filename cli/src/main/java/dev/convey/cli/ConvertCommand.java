package dev.convey.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.convey.keras.KerasFiles;
import dev.convey.models.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code convey convert IN OUT}: a Keras model between the formats, chosen by OUT's name: {@code .keras}
 * (Keras 3 zip), {@code .weights.h5} (Keras 3 weights only), anything else legacy full-model {@code .h5}. IN is
 * recognised by its content. A weights-only IN needs {@code --architecture}, a model file giving the layers.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Keras model between .keras, .weights.h5 and legacy .h5 (format by OUT's extension).")
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "A .keras, legacy .h5 or .weights.h5 file.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write: *.keras, *.weights.h5 or *.h5.")
    Path output;

    @Option(names = "--architecture", paramLabel = "MODEL_FILE",
            description = "For a weights-only IN: a .keras or .h5 model file whose architecture the weights fit.")
    Path architecture;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        requireFile(input);
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

    private static void requireFile(Path p) throws NoSuchFileException {
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString(), null, "no such file");
        }
    }
}
