package dev.convey.cli;

import dev.convey.training.Adam;
import dev.convey.training.Optimizer;
import dev.convey.training.RMSprop;
import dev.convey.training.SGD;

import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --optimizer sgd|adam|rmsprop --lr F --momentum F} as Keras optimizers (Keras' default rates): a picocli
 * mixin of {@code fit} and {@code train}.
 */
final class Optimizers {

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "sgd|adam|rmsprop",
            description = "Optimizer (default adam).")
    String name;

    @Option(names = "--lr", paramLabel = "F",
            description = "Learning rate (default Keras': 0.01 for sgd, 0.001 for adam and rmsprop).")
    Double learningRate;

    @Option(names = "--momentum", defaultValue = "0", paramLabel = "F", description = "Momentum of sgd or rmsprop (default 0).")
    double momentum;

    /** The optimizer the options describe. */
    Optimizer create() {
        return of(name, learningRate, momentum);
    }

    /** The same optimizer with another learning rate (e.g. fine-tuning's low rate). */
    Optimizer create(double rate) {
        return of(name, rate, momentum);
    }

    static Optimizer of(String name, Double learningRate, double momentum) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd" -> new SGD(learningRate != null ? learningRate : 0.01, momentum, false);
            case "adam" -> {
                if (momentum != 0) {
                    throw new IllegalArgumentException("--momentum applies to sgd and rmsprop, not adam");
                }
                yield new Adam(learningRate != null ? learningRate : 0.001);
            }
            case "rmsprop" -> new RMSprop(learningRate != null ? learningRate : 0.001, 0.9, momentum, 1e-7, false);
            default -> throw new IllegalArgumentException("Unknown optimizer '" + name + "': expected sgd, adam or rmsprop");
        };
    }
}
