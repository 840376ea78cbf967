package dev.convey.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code convey summary}: Keras' {@code model.summary()} table. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print the model's layers, output shapes and parameter counts, as Keras' model.summary().")
final class SummaryCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        spec.commandLine().getOut().print(model.load(false).summary());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
