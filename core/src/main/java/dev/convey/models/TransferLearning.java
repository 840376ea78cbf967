package dev.convey.models;

import dev.convey.data.BatchSequence;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.Flatten;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.GlobalMaxPooling2D;
import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;
import dev.convey.training.Callback;
import dev.convey.training.FitOptions;
import dev.convey.training.History;
import dev.convey.training.Optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Keras transfer-learning recipe in a few lines ("Transfer learning and fine-tuning", keras.io guide):
 * <pre>
 *   TransferLearning tl = TransferLearning.on(base).head("gap,dense:1024:relu,dropout:0.2").classes(5);
 *   Model model = tl.build();                          // base.trainable = False; head + Dense(5, softmax)
 *   tl.trainHead(new Adam(), train, validation, 10);    // phase 1: only the head trains
 *   tl.fineTune(20, new Adam(1e-5), train, validation, 5);  // phase 2: the top 20 base layers too
 * </pre>
 * In phase 2 a layer that keeps state updated by training (weights that are never trainable, such as
 * BatchNormalization's moving mean and variance) stays frozen, so it stays in inference mode and its
 * statistics do not move: what the guide explains ("keep the BatchNormalization layers in inference mode")
 * and its EfficientNet fine-tuning example does (unfreezing the top layers except BatchNormalization).
 * A change of {@code trainable} takes effect at compile, so each phase compiles, as in Keras.
 */
public final class TransferLearning {

    private final Model base;
    private final List<Layer> head = new ArrayList<>();
    private int classes = -1;
    private Map<Integer, Double> classWeight;
    private Model model;
    private Model headModel;

    private TransferLearning(Model base) {
        this.base = base;
    }

    /** Starts from a base without its classifier ({@code include_top=False}). */
    public static TransferLearning on(Model base) {
        return new TransferLearning(base);
    }

    /**
     * The head between the base and the classifier, as comma-separated layers: {@code gap}
     * (GlobalAveragePooling2D), {@code gmp} (GlobalMaxPooling2D), {@code flatten}, {@code dense:UNITS[:ACTIVATION]},
     * {@code dropout:RATE}; e.g. {@code "gap,dense:1024:relu,dropout:0.2"}.
     */
    public TransferLearning head(String spec) {
        for (String part : spec.split(",")) {
            head.add(headLayer(part.trim()));
        }
        return this;
    }

    /** Adds head layers built in code. */
    public TransferLearning head(Layer... layers) {
        head.addAll(List.of(layers));
        return this;
    }

    /** The number of classes: the model ends with {@code Dense(classes, activation="softmax")}. */
    public TransferLearning classes(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + n);
        }
        classes = n;
        return this;
    }

    /**
     * Keras' {@code class_weight} for every phase's fit (null: none): each training sample's loss is multiplied
     * by its class' weight, e.g. {@code ClassWeights.balanced(train.labels(), n)}.
     */
    public TransferLearning classWeight(Map<Integer, Double> weights) {
        this.classWeight = weights == null ? null : Map.copyOf(weights);
        return this;
    }

    static Layer headLayer(String part) {
        String[] f = part.split(":");
        String kind = f[0].toLowerCase(Locale.ROOT);
        try {
            return switch (kind) {
                case "gap" -> new GlobalAveragePooling2D();
                case "gmp" -> new GlobalMaxPooling2D();
                case "flatten" -> new Flatten();
                case "dense" -> new Dense(Integer.parseInt(f[1])).activation(f.length > 2 ? f[2] : "linear");
                case "dropout" -> new Dropout(Double.parseDouble(f[1]));
                default -> throw new IllegalArgumentException("unknown layer '" + kind + "'");
            };
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("head layer '" + part + "': expected gap, gmp, flatten, "
                    + "dense:UNITS[:ACTIVATION] or dropout:RATE", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("head layer '" + part + "': " + e.getMessage()
                    + " (expected gap, gmp, flatten, dense:UNITS[:ACTIVATION] or dropout:RATE)", e);
        }
    }

    /** base -> head -> Dense(classes, softmax), the base frozen. */
    public Model build() {
        if (classes < 0) {
            throw new IllegalStateException("call classes(n) before build()");
        }
        if (model == null) {
            head.add(new Dense(classes).activation("softmax").name("predictions"));
            SymbolicTensor x = base.output();
            for (Layer l : head) {
                x = l.apply(x);
            }
            model = new Model(base.input(), x, base.name() + "_transfer");
            base.setTrainable(false);
        }
        return model;
    }

    /** The full model (after {@link #build}). */
    public Model model() {
        return build();
    }

    /** Phase 1: compile with the base frozen and fit the head ({@code categorical_crossentropy}, accuracy). */
    public History trainHead(Optimizer optimizer, BatchSequence train, BatchSequence validation, int epochs,
                             Callback... callbacks) {
        build();
        base.setTrainable(false);
        model.compile(optimizer, "categorical_crossentropy", "accuracy");
        return model.fit(train, epochs, validation, classWeight, callbacks);
    }

    /**
     * Phase 1 on cached features (Keras' "feature extraction"): the frozen base runs once per image, and a model
     * of the head alone (sharing the head's layers, hence its weights, with {@link #model()}) trains on them.
     */
    public History trainHeadOnFeatures(Optimizer optimizer, Tensor[] trainFeatures, Tensor[] validationFeatures,
                                       int batchSize, int epochs, long seed, Callback... callbacks) {
        build();
        if (headModel == null) {
            SymbolicTensor in = Input.of(base.output().shape());
            SymbolicTensor x = in;
            for (Layer l : head) {
                x = l.apply(x);
            }
            headModel = new Model(in, x, "head");
        }
        headModel.compile(optimizer, "categorical_crossentropy", "accuracy");
        FitOptions.Builder options = FitOptions.builder().batchSize(batchSize).epochs(epochs).seed(seed)
                .callbacks(callbacks);
        if (validationFeatures != null) {
            options.validationData(validationFeatures[0], validationFeatures[1]);
        }
        if (classWeight != null) {
            options.classWeight(classWeight);
        }
        return headModel.fit(trainFeatures[0], trainFeatures[1], options.build());
    }

    /** The head alone (input: the base's output), compiled by {@link #trainHeadOnFeatures}; null before it. */
    public Model headModel() {
        return headModel;
    }

    /** The base's output for every batch of {@code data}: {features, labels}, in the sequence's order. */
    public Tensor[] extractFeatures(BatchSequence data, int batchSize) {
        List<Tensor> xs = new ArrayList<>();
        List<Tensor> ys = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            BatchSequence.Batch b = data.get(i);
            xs.add(base.predict(b.x(), batchSize));
            ys.add(b.y());
        }
        return new Tensor[] {concat(xs), concat(ys)};
    }

    /** The tensors stacked along the first (batch) axis. */
    public static Tensor concat(List<Tensor> parts) {
        int n = 0;
        for (Tensor t : parts) {
            n += t.dim(0);
        }
        int[] shape = parts.get(0).shape().clone();
        shape[0] = n;
        Tensor out = Tensor.zeros(shape);
        int at = 0;
        for (Tensor t : parts) {
            out.data().put(at, t.data(), 0, t.size());
            at += t.size();
        }
        return out;
    }

    /**
     * Unfreezes the top {@code n} entries of the base's {@code layers()} (Keras' {@code base.layers[-n:]}), except
     * layers with state updated by training (moving statistics), which stay frozen in inference mode.
     */
    public static List<Layer> unfreezeTop(Model base, int n) {
        List<Layer> layers = base.layers();
        if (n < 0 || n > layers.size()) {
            throw new IllegalArgumentException("--fine-tune-layers must be 0.." + layers.size() + " (the base's "
                    + "layers), got " + n);
        }
        base.setTrainable(true);
        List<Layer> unfrozen = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            boolean keepsState = l.weights().stream().anyMatch(p -> !p.isTrainable());
            boolean train = i >= layers.size() - n && !keepsState;
            l.setTrainable(train);
            if (train && !l.weights().isEmpty()) {
                unfrozen.add(l);
            }
        }
        return unfrozen;
    }

    /** Phase 2: unfreeze the top {@code n} base layers, recompile with the (low-rate) optimizer, fit again. */
    public History fineTune(int n, Optimizer lowRate, BatchSequence train, BatchSequence validation, int epochs,
                            Callback... callbacks) {
        build();
        unfreezeTop(base, n);
        model.compile(lowRate, "categorical_crossentropy", "accuracy");
        return model.fit(train, epochs, validation, classWeight, callbacks);
    }
}
