package dev.convey.training;

import java.util.List;
import java.util.Map;

import dev.convey.data.BatchSequence;
import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;

/**
 * Keras' training API, which {@code dev.convey.models.Model} inherits (as Keras' {@code Model} inherits
 * {@code Trainer}): {@code compile}, {@code fit}, {@code evaluate}, {@code predict}. Thin delegations to the
 * engine, {@link Trainer}, which sees the model only as a {@link Layer}: nothing here knows the models package.
 */
public abstract class TrainableModel extends Layer {

    private Trainer trainer;

    /** @param defaultNamePrefix Keras' automatic name stem ({@code model}, {@code sequential}) */
    protected TrainableModel(String defaultNamePrefix) {
        super(defaultNamePrefix);
    }

    /**
     * Keras' {@code compile(optimizer, loss, metrics)} with names: {@code compile(new Adam(), "categorical_crossentropy",
     * "accuracy")}. Records every layer's trainable flag (changes made later need another compile, as in Keras).
     */
    public void compile(Optimizer optimizer, String loss, String... metrics) {
        trainer = new Trainer(this, optimizer, loss, metrics);
    }

    /** Keras' {@code compile} with loss and metric objects. */
    public void compile(Optimizer optimizer, Loss loss, Metric... metrics) {
        trainer = new Trainer(this, optimizer, loss, List.of(metrics));
    }

    /** The engine set up by the last compile(). */
    public Trainer trainer() {
        if (trainer == null) {
            throw new IllegalStateException(describe() + " must be compiled before training or evaluation: call "
                    + "compile(optimizer, loss, metrics...)");
        }
        return trainer;
    }

    /** Keras' {@code fit(x, y, batch_size, epochs, callbacks)}: shuffled each epoch, progress shown. */
    public History fit(Tensor x, Tensor y, int batchSize, int epochs, Callback... callbacks) {
        return fit(x, y, FitOptions.builder().batchSize(batchSize).epochs(epochs).callbacks(callbacks).build());
    }

    /** Keras' {@code fit(x, y, ...)} with every option (validation, shuffle, seed, verbose) in a builder. */
    public History fit(Tensor x, Tensor y, FitOptions options) {
        return trainer().fit(x, y, options);
    }

    /** Keras' {@code fit(sequence, epochs, validation_data=sequence, callbacks)}; {@code validation} may be null. */
    public History fit(BatchSequence train, int epochs, BatchSequence validation, Callback... callbacks) {
        return trainer().fit(train, epochs, validation, true, List.of(callbacks));
    }

    /** Keras' {@code fit(sequence, epochs, validation_data, class_weight, callbacks)}; see {@link ClassWeights}. */
    public History fit(BatchSequence train, int epochs, BatchSequence validation, Map<Integer, Double> classWeight,
                       Callback... callbacks) {
        return trainer().fit(train, epochs, validation, true, List.of(callbacks), classWeight);
    }

    /** Keras' {@code evaluate(x, y, batch_size)}: {loss, metrics...} over all samples, inference mode. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        return trainer().evaluate(x, y, batchSize);
    }

    /** Keras' {@code evaluate(sequence)}. */
    public Map<String, Double> evaluate(BatchSequence data) {
        return trainer().evaluate(data);
    }

    /** Keras' {@code predict(x, batch_size)}: the outputs in a new tensor, inference mode; needs no compile. */
    public Tensor predict(Tensor x, int batchSize) {
        return Trainer.predict(this, x, batchSize);
    }
}
