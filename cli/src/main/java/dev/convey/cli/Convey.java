package dev.convey.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code convey} command: {@code java -jar convey.jar <command> ...}.
 *
 * <p>To add a command, write a picocli {@code @Command} class in this package (see {@link InferCommand}) and add
 * it to the {@code subcommands} list below: that one line is the whole registration.
 *
 * <p>Errors print one line, {@code convey <command>: <message>}, to stderr and exit with status 1 (2 for a wrong
 * command line, with the usage); {@code --verbose} adds the stack trace.
 */
@Command(name = "convey", mixinStandardHelpOptions = true, version = "convey 0.1.0",
        description = "A CNN engine for the JVM: Keras' VGG16 and ResNet50, Keras HDF5 models, transfer learning.",
        subcommands = {
            CommandLine.HelpCommand.class,
            InferCommand.class,
            PredictCommand.class,
            SummaryCommand.class,
            DemoCommand.class,
            PretrainCommand.class,
            FitCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            FeaturesCommand.class,
            ExportCommand.class,
        })
public final class Convey implements Runnable {

    /** Exit status of a command that failed (a wrong command line exits with picocli's 2). */
    public static final int EXIT_FAILURE = 1;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Convey's error handling: tests call {@code execute} on it with captured output. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Convey());
        commandLine.setExecutionExceptionHandler(Convey::reportError);
        return commandLine;
    }

    /** One line {@code convey <command>: <message>} on stderr; the stack trace only with --verbose. */
    private static int reportError(Exception error, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + describe(error));
        Object root = command.getCommandSpec().root().userObject();
        if (root instanceof Convey convey && convey.verbose) {
            error.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }

    /** The message people need: the exception's own message, or what kind of failure it was. */
    static String describe(Throwable error) {
        if (error instanceof UncheckedIOException && error.getCause() != null) {
            error = error.getCause();
        }
        if (error instanceof NoSuchFileException e) {
            return "no such file: " + e.getFile();
        }
        if (error instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }
}
