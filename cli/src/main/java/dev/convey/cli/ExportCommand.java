package dev.convey.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.convey.models.Model;
import dev.convey.onnx.OnnxExport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convey export --format onnx}: a model as an ONNX graph for ONNX Runtime, TensorRT and the rest. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model in another framework's format: ONNX (opset 13; NHWC inputs and outputs, "
                + "a free batch axis).")
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--format", required = true, paramLabel = "onnx", description = "The format to write: onnx.")
    String format;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource model;

    @Parameters(index = "0", paramLabel = "OUT.onnx", description = "The file to write.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equalsIgnoreCase("onnx")) {
            throw new IllegalArgumentException("Unknown export format '" + format + "': expected onnx");
        }
        Model network = model.load();
        OnnxExport.write(network, output);
        spec.commandLine().getOut().println("Wrote " + output + " (ONNX, " + Files.size(output) + " bytes, model '"
                + network.name() + "')");
        return 0;
    }
}
