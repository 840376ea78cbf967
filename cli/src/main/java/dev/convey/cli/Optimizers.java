package dev.convey.cli;

import dev.convey.training.Adam;
import dev.convey.training.Optimizer;
import dev.convey.training.RMSprop;
import dev.convey.training.SGD;

import java.util.Locale;

/** {@code --optimizer sgd|adam|rmsprop --lr F --momentum F} as Keras optimizers (Keras' default rates). */
final class Optimizers {

    private Optimizers() {
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
