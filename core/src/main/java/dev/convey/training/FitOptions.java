package dev.convey.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * The keyword arguments of Keras' {@code fit(x, y, ...)} for in-memory arrays, as a builder:
 * <pre>
 * model.fit(x, y, FitOptions.builder().batchSize(32).epochs(10).validationSplit(0.2)
 *         .callbacks(new EarlyStopping("val_loss", 3, 0, true)).build());
 * </pre>
 * Defaults are Keras': batch_size 32, epochs 1, shuffle true, no validation, verbose (progress display) on, no
 * class or sample weights.
 */
public final class FitOptions {

    final int batchSize;
    final int epochs;
    final boolean shuffle;
    final long seed;
    final Tensor validationX;
    final Tensor validationY;
    final double validationSplit;
    final List<Callback> callbacks;
    final boolean verbose;
    final Map<Integer, Double> classWeight;
    final Tensor sampleWeight;

    private FitOptions(Builder b) {
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.validationX = b.validationX;
        this.validationY = b.validationY;
        this.validationSplit = b.validationSplit;
        this.callbacks = List.copyOf(b.callbacks);
        this.verbose = b.verbose;
        this.classWeight = b.classWeight;
        this.sampleWeight = b.sampleWeight;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link FitOptions}. */
    public static final class Builder {
        private int batchSize = 32;
        private int epochs = 1;
        private boolean shuffle = true;
        private long seed;
        private Tensor validationX;
        private Tensor validationY;
        private double validationSplit;
        private final List<Callback> callbacks = new ArrayList<>();
        private boolean verbose = true;
        private Map<Integer, Double> classWeight;
        private Tensor sampleWeight;

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch_size must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder epochs(int epochs) {
            if (epochs < 0) {
                throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** Shuffle the samples before each epoch (the order is drawn from {@link #seed}). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Keras' {@code validation_data=(x, y)}. */
        public Builder validationData(Tensor x, Tensor y) {
            this.validationX = x;
            this.validationY = y;
            return this;
        }

        /** Keras' {@code validation_split}: the LAST fraction of the samples (before shuffling) validate. */
        public Builder validationSplit(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("validation_split must be in [0, 1), got " + fraction);
            }
            this.validationSplit = fraction;
            return this;
        }

        public Builder callbacks(Callback... callbacks) {
            this.callbacks.addAll(Arrays.asList(callbacks));
            return this;
        }

        /** Show the progress display ({@link ProgressBar}); Keras' verbose=1 versus 0. */
        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        /**
         * Keras' {@code class_weight}: the training loss of each sample is multiplied by its class' weight (a class
         * not in the map weighs 1); see {@link ClassWeights}.
         */
        public Builder classWeight(Map<Integer, Double> weights) {
            this.classWeight = Map.copyOf(weights);
            return this;
        }

        /**
         * Keras' {@code sample_weight}: one loss weight per sample of x, shape (N,); with validationSplit the
         * validation part keeps its weights, as in Keras.
         */
        public Builder sampleWeight(Tensor weights) {
            this.sampleWeight = weights;
            return this;
        }

        public FitOptions build() {
            if (validationX != null && validationSplit > 0) {
                throw new IllegalArgumentException("Give either validationData or validationSplit, not both");
            }
            if (classWeight != null && sampleWeight != null) {
                throw new IllegalArgumentException("You cannot use class_weight and sample_weight at the same time");
            }
            return new FitOptions(this);
        }
    }
}
