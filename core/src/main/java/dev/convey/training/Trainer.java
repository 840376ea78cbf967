package dev.convey.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.convey.data.ArraySequence;
import dev.convey.data.BatchSequence;
import dev.convey.layers.ActivationFunction;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * The training engine behind Keras' {@code compile}, {@code fit}, {@code evaluate} and {@code predict}.
 *
 * <p>Creating a Trainer is Keras' {@code compile()}: it records every layer's trainable flag
 * ({@link Layer#snapshotTrainable()}) and collects the weights the optimizer will update, so flags changed
 * later take effect at the next compile, as in Keras.
 *
 * <p>One training step on a batch (x, y):
 * <pre>
 *   p     = model.forward(x, training = true)        BatchNormalization uses batch statistics, Dropout drops
 *   L     = loss(p, y, w), dL/dp                      (1/N) sum w_n l_n, w the batch's sample weights (or its
 *                                                     class weights, Keras' class_weight), else all 1; fused
 *                                                     with a final softmax: dL/dz_n = w_n (p_n - y_n)/N
 *   stop if L is NaN or infinite                      nothing is updated by a bad batch (moving statistics
                                                     the forward pass moved are put back)
 *   model.backward(dL/dp)                             weight gradients only in layers trainable at compile
 *   optimizer: w <- rule(w, dL/dw)                    for the trainable-at-compile weights
 * </pre>
 * The epoch's loss and metrics are means over its samples (batches weighted by their size), as Keras reports:
 * with sample or class weights the loss is sum_n w_n l_n / (number of samples), the metrics stay unweighted.
 */
public final class Trainer {

    private final Layer model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Metric> metrics;
    private final List<Parameter> trainableWeights;
    private final List<Parameter> stateWeights;
    private final Tensor[] stateBackup;
    private final boolean fusedWithSoftmax;
    private Tensor outputGradient;

    /** Keras' {@code model.compile(optimizer, loss, metrics)}. */
    public Trainer(Layer model, Optimizer optimizer, Loss loss, List<Metric> metrics) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics = List.copyOf(metrics);
        model.snapshotTrainable();
        this.trainableWeights = Collections.unmodifiableList(weightsWhenCompiled(model, true, new ArrayList<>()));
        this.stateWeights = weightsWhenCompiled(model, false, new ArrayList<>());
        this.stateBackup = new Tensor[stateWeights.size()];
        this.fusedWithSoftmax = "softmax".equals(loss.fusedActivation())
                && model.outputActivation() == ActivationFunction.SOFTMAX;
    }

    /** The same, with Keras' string names: {@code new Trainer(m, new Adam(), "categorical_crossentropy", "accuracy")}. */
    public Trainer(Layer model, Optimizer optimizer, String loss, String... metrics) {
        this(model, optimizer, Loss.get(loss), metricsByName(metrics));
    }

    private static List<Metric> metricsByName(String... names) {
        List<Metric> out = new ArrayList<>();
        for (String n : names) {
            out.add(Metric.get(n));
        }
        return out;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Loss loss() {
        return loss;
    }

    /** The metrics given to compile, in order. */
    public List<Metric> metrics() {
        return List.copyOf(metrics);
    }

    /** The weights the optimizer updates: trainable weights of layers that were trainable at compile. */
    public List<Parameter> trainableWeights() {
        return trainableWeights;
    }

    /** True if the loss is fused with the model's final softmax. */
    public boolean isFusedWithSoftmax() {
        return fusedWithSoftmax;
    }

    /**
     * The weights with {@code isTrainable() == trainable} of the layers trainable at compile (a frozen model
     * contributes none of its layers'). {@code true}: what the optimizer updates. {@code false}: what a training
     * forward pass itself updates, BatchNormalization's moving statistics; a step whose loss is not finite puts
     * those back.
     */
    private static List<Parameter> weightsWhenCompiled(Layer layer, boolean trainable, List<Parameter> out) {
        if (!layer.isTrainableWhenCompiled()) {
            return out;
        }
        if (!layer.sublayers().isEmpty()) {
            for (Layer inner : layer.sublayers()) {
                weightsWhenCompiled(inner, trainable, out);
            }
            return out;
        }
        for (Parameter p : layer.weights()) {
            if (p.isTrainable() == trainable) {
                out.add(p);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- fit

    /** Keras' {@code fit(x, y, batch_size, epochs, shuffle, validation_data | validation_split, callbacks, verbose)}. */
    public History fit(Tensor x, Tensor y, FitOptions options) {
        Tensor trainX = x;
        Tensor trainY = y;
        Tensor trainWeight = options.sampleWeight;
        BatchSequence validation = null;
        if (options.validationX != null) {
            validation = new ArraySequence(options.validationX, options.validationY, options.batchSize);
        } else if (options.validationSplit > 0) {
            int n = x.dim(0);
            int split = (int) (n * (1 - options.validationSplit));
            if (split <= 0 || split >= n) {
                throw new IllegalArgumentException("validation_split " + options.validationSplit + " of " + n
                        + " samples leaves no training or no validation samples");
            }
            trainX = x.batchSlice(0, split);
            trainY = y.batchSlice(0, split);
            Tensor w = options.sampleWeight == null ? null : options.sampleWeight.reshape(n);
            trainWeight = w == null ? null : w.batchSlice(0, split);
            validation = new ArraySequence(x.batchSlice(split, n - split), y.batchSlice(split, n - split),
                    w == null ? null : w.batchSlice(split, n - split), options.batchSize, false, 0L);
        }
        BatchSequence train = new ArraySequence(trainX, trainY, trainWeight, options.batchSize, options.shuffle,
                options.seed);
        return fit(train, options.epochs, validation, options.verbose, options.callbacks, options.classWeight);
    }

    /**
     * Keras' {@code fit(sequence, epochs, validation_data=sequence, callbacks)}: trains for {@code epochs}
     * epochs of {@code train.size()} batches, validating on {@code validation} (may be null) after each epoch.
     *
     * @throws NonFiniteLossException when a batch's loss is NaN or infinite
     */
    public History fit(BatchSequence train, int epochs, BatchSequence validation, boolean verbose, List<Callback> callbacks) {
        return fit(train, epochs, validation, verbose, callbacks, null);
    }

    /**
     * The same with Keras' {@code class_weight} (null: none): each training batch's sample weights are its
     * labels' class weights ({@link ClassWeights#sampleWeights}); a batch that carries its own sample weights
     * cannot also be class-weighted (Keras refuses both).
     */
    public History fit(BatchSequence train, int epochs, BatchSequence validation, boolean verbose, List<Callback> callbacks,
                       Map<Integer, Double> classWeight) {
        History history = new History();
        List<Callback> all = new ArrayList<>();
        if (verbose) {
            all.add(new ProgressBar());
        }
        all.addAll(callbacks);
        all.add(history);
        List<String> names = new ArrayList<>();
        names.add("loss");
        for (Metric m : metrics) {
            names.add(m.name());
        }
        TrainingRun run = new TrainingRun(model, epochs, train.size(), train.sampleCount(), names);
        all.forEach(c -> c.onTrainBegin(run));
        for (int epoch = 0; epoch < epochs && !run.isStopRequested(); epoch++) {
            int e = epoch;
            all.forEach(c -> c.onEpochBegin(e));
            Map<String, Double> logs = trainEpoch(train, classWeight, epoch, epochs, all);
            train.onEpochEnd();
            if (validation != null) {
                evaluate(validation).forEach((k, v) -> logs.put("val_" + k, v));
            }
            Map<String, Double> readOnly = Collections.unmodifiableMap(logs);
            all.forEach(c -> c.onEpochEnd(e, readOnly));
        }
        all.forEach(Callback::onTrainEnd);
        return history;
    }

    private Map<String, Double> trainEpoch(BatchSequence train, Map<Integer, Double> classWeight, int epoch, int epochs,
                                           List<Callback> callbacks) {
        metrics.forEach(Metric::reset);
        double lossSum = 0;
        int seen = 0;
        int steps = train.size();
        for (int b = 0; b < steps; b++) {
            BatchSequence.Batch batch = train.get(b);
            double batchLoss = trainStep(batch.x(), batch.y(), sampleWeights(batch, classWeight), epoch, epochs, b, steps);
            lossSum += batchLoss * batch.size();
            seen += batch.size();
            Map<String, Double> logs = logs(lossSum / seen);
            int b0 = b;
            int s0 = seen;
            callbacks.forEach(c -> c.onBatchEnd(b0, s0, Collections.unmodifiableMap(logs)));
        }
        return logs(seen == 0 ? 0 : lossSum / seen);
    }

    /** The batch's own sample weights, or its class weights, or null. */
    private static Tensor sampleWeights(BatchSequence.Batch batch, Map<Integer, Double> classWeight) {
        if (classWeight == null) {
            return batch.sampleWeight();
        }
        if (batch.sampleWeight() != null) {
            throw new IllegalArgumentException("You cannot use class_weight and sample_weight at the same time: the "
                    + "training batches carry sample weights");
        }
        return ClassWeights.sampleWeights(batch.y(), classWeight);
    }

    /** One optimisation step on one batch; returns the batch's (weighted) mean loss. */
    private double trainStep(Tensor x, Tensor y, Tensor sampleWeight, int epoch, int epochs, int batch, int batches) {
        for (int i = 0; i < stateBackup.length; i++) {
            Tensor value = stateWeights.get(i).value();
            stateBackup[i] = Tensor.reuse(stateBackup[i], value.shape()).copyFrom(value);
        }
        Tensor output = model.forward(new Tensor[] {x}, true);
        outputGradient = Tensor.reuse(outputGradient, output.shape());
        double batchLoss = fusedWithSoftmax ? loss.computeFused(output, y, sampleWeight, outputGradient)
                : loss.compute(output, y, sampleWeight, outputGradient);
        if (!Double.isFinite(batchLoss)) {
            for (int i = 0; i < stateBackup.length; i++) {
                stateWeights.get(i).value().copyFrom(stateBackup[i]);
                stateWeights.get(i).changed();
            }
            throw new NonFiniteLossException(loss.name(), batchLoss, epoch, epochs, batch, batches);
        }
        for (Metric m : metrics) {
            m.update(output, y);
        }
        model.backward(outputGradient, new boolean[] {false}, true);
        optimizer.applyGradients(trainableWeights);
        return batchLoss;
    }

    /** {loss, metric...} with values rounded to float32, as Keras' float32 metrics report them. */
    private Map<String, Double> logs(double meanLoss) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", (double) (float) meanLoss);
        for (Metric m : metrics) {
            logs.put(m.name(), (double) (float) m.result());
        }
        return logs;
    }

    // ---------------------------------------------------------------- evaluate, predict

    /**
     * Keras' {@code evaluate}: the mean loss (weighted by the batches' sample weights, if they carry any) and the
     * metrics over every sample of {@code data}, in inference mode.
     */
    public Map<String, Double> evaluate(BatchSequence data) {
        metrics.forEach(Metric::reset);
        double lossSum = 0;
        int seen = 0;
        for (int b = 0; b < data.size(); b++) {
            BatchSequence.Batch batch = data.get(b);
            Tensor output = model.forward(new Tensor[] {batch.x()}, false);
            lossSum += loss.compute(output, batch.y(), batch.sampleWeight(), null) * batch.size();
            seen += batch.size();
            for (Metric m : metrics) {
                m.update(output, batch.y());
            }
        }
        return logs(seen == 0 ? 0 : lossSum / seen);
    }

    /** Keras' {@code evaluate(x, y, batch_size)}. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        return evaluate(new ArraySequence(x, y, batchSize));
    }

    /**
     * Keras' {@code predict(x, batch_size)}: the model's outputs for every sample, in inference mode, in a NEW
     * tensor (batch first). Needs no compile.
     */
    public static Tensor predict(Layer model, Tensor x, int batchSize) {
        return predict(model, new Tensor[] {x}, batchSize);
    }

    /** {@link #predict(Layer, Tensor, int)} for a model with several inputs: one tensor per input, in order. */
    public static Tensor predict(Layer model, Tensor[] xs, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size must be positive, got " + batchSize);
        }
        for (int i = 0; i < xs.length; i++) {
            if (xs[i].rank() == 0 || xs[i].dim(0) == 0) {
                throw new IllegalArgumentException(model.describe() + ": predict needs a batch, got shape "
                        + Shapes.toString(xs[i].shape()) + (xs.length > 1 ? " for input " + i : ""));
            }
            if (xs[i].dim(0) != xs[0].dim(0)) {
                throw new IllegalArgumentException(model.describe() + ": input " + i + " has " + xs[i].dim(0)
                        + " samples, input 0 has " + xs[0].dim(0));
            }
        }
        int n = xs[0].dim(0);
        Tensor result = null;
        for (int start = 0; start < n; start += batchSize) {
            int count = Math.min(batchSize, n - start);
            Tensor[] batch = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++) {
                batch[i] = xs[i].batchSlice(start, count);
            }
            Tensor out = model.forward(batch, false);
            if (result == null) {
                result = Tensor.zeros(Shapes.withBatch(n, Shapes.withoutBatch(out.shape())));
            }
            result.batchSlice(start, count).copyFrom(out);
        }
        return result;
    }
}
