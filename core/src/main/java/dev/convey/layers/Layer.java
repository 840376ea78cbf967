package dev.convey.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * A layer: a function of one or more NHWC tensors with (optionally) weights, and its gradient.
 *
 * <p>Every concrete layer is one file that holds both directions, as in Caffe and Darknet:
 * <ul>
 *   <li>{@link #computeOutputShape} — the shape arithmetic (without the batch axis, {@code -1} for unknown);
 *   <li>{@link #createWeights} — Keras' {@code build}: make the weights once the input shape is known;
 *   <li>{@link #computeForward} — y = f(x; w), remembering what backward needs;
 *   <li>{@link #computeBackward} — given dL/dy, write dL/dw into each weight's gradient (only when asked: a
 *       frozen layer does no weight-gradient work) and return dL/dx for the inputs that need it.
 * </ul>
 * The public {@link #forward} and {@link #backward} check shapes and then call those.
 *
 * <p>Output and gradient tensors returned by a layer are buffers the layer owns and reuses on the next call
 * (see {@link Tensor#reuse}); copy them to keep them.
 */
public abstract class Layer {

    private static final Map<String, AtomicInteger> NAME_COUNTERS = new ConcurrentHashMap<>();
    private static volatile Random random = new Random();

    private String name;
    private boolean trainable = true;
    private boolean trainableWhenCompiled = true;
    private int[][] builtInputShapes;
    private final List<Parameter> weights = new ArrayList<>();
    private long weightGradientPasses;

    /** @param defaultNamePrefix Keras' automatic name stem: {@code conv2d} gives conv2d, conv2d_1, conv2d_2 ... */
    protected Layer(String defaultNamePrefix) {
        this(defaultNamePrefix, false);
    }

    /**
     * @param oneBased Keras numbers some stems from 1 ({@code input_1, input_2}, for InputLayer) and the rest
     *                 from 0 ({@code conv2d, conv2d_1})
     */
    protected Layer(String defaultNamePrefix, boolean oneBased) {
        if (InnerLayers.creating()) {   // a step inside another layer: no automatic name
            this.name = defaultNamePrefix;
            return;
        }
        int n = NAME_COUNTERS.computeIfAbsent(defaultNamePrefix, k -> new AtomicInteger()).getAndIncrement();
        this.name = oneBased ? defaultNamePrefix + "_" + (n + 1) : n == 0 ? defaultNamePrefix : defaultNamePrefix + "_" + n;
    }

    /** Seeds the random generator used to initialise new weights and for dropout (Keras' set_random_seed). */
    public static void setRandomSeed(long seed) {
        random = new Random(seed);
    }

    /** The generator for weight initialisation and dropout masks. */
    protected static Random random() {
        return random;
    }

    // ---------------------------------------------------------------- identity and flags

    public String name() {
        return name;
    }

    /** Renames the layer (Keras' {@code name=} argument). Returns this layer, so it can end a builder chain. */
    public Layer name(String newName) {
        if (newName == null || newName.isEmpty() || newName.contains("/")) {
            throw new IllegalArgumentException("Layer name must be non-empty and contain no '/': '" + newName + "'");
        }
        this.name = newName;
        return this;
    }

    /** Keras' class name of this layer ({@code Conv2D}, {@code Dense}, ...). */
    public String className() {
        return getClass().getSimpleName();
    }

    /** Keras' {@code layer.trainable}: whether fit() updates this layer's weights. */
    public boolean isTrainable() {
        return trainable;
    }

    /** Sets Keras' {@code trainable} flag; as in Keras, training sees the change once the model is compiled again. */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
    }

    /** The trainable flag as it was at the last compile(); this is what training obeys. */
    public boolean isTrainableWhenCompiled() {
        return trainableWhenCompiled;
    }

    /** Called by compile(): freezes the current trainable flag for training. */
    public void snapshotTrainable() {
        this.trainableWhenCompiled = trainable;
    }

    /**
     * Keras' {@code get_config()}: the layer's settings as JSON-compatible values (String, Integer/Long/Float/
     * Double, Boolean, List, Map, null) in Keras' key order. This base gives {@code name}, {@code trainable} and
     * {@code dtype}; a layer with settings calls {@code super.getConfig()} and puts its own keys after them,
     * with Keras' names (Conv2D: filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
     * use_bias). Writers of Keras files use this; weights are not part of it.
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("trainable", trainable);
        c.put("dtype", "float32");
        return c;
    }

    /** An int tuple as a config value ({@code kernel_size: [3, 3]}). */
    protected static List<Integer> list(int... values) {
        return new ArrayList<>(Arrays.stream(values).boxed().toList());
    }

    // ---------------------------------------------------------------- building

    /** True once the weights exist (Keras' {@code layer.built}). */
    public boolean isBuilt() {
        return builtInputShapes != null;
    }

    /** The input shapes (without batch axis) the layer was built for, or null. */
    public int[][] inputShapes() {
        return builtInputShapes == null ? null : LayerArgs.deepCopy(builtInputShapes);
    }

    /**
     * Builds the layer for these input shapes (without the batch axis; -1 for an axis known only at run time)
     * and returns its output shape. The first call creates the weights; later calls must be compatible.
     */
    public final int[] build(int[]... inputShapes) {
        int[] out = computeOutputShape(inputShapes);
        if (builtInputShapes == null) {
            createWeights(inputShapes);
            builtInputShapes = LayerArgs.deepCopy(inputShapes);
        } else {
            LayerArgs.checkCompatible(this, inputShapes, builtInputShapes, "was built for");
        }
        return out;
    }

    /**
     * The output shape for these input shapes (batch axis left out, -1 propagates). Throws
     * {@link #shapeError} naming both shapes when the inputs are unacceptable (wrong rank, wrong count).
     */
    protected abstract int[] computeOutputShape(int[][] inputShapes);

    /** Creates the weights with {@link #addWeight}. Weightless layers keep this default. */
    protected void createWeights(int[][] inputShapes) {
    }

    /** Adds a weight in Keras order (the order of Keras' {@code layer.weights}). */
    protected final Parameter addWeight(String weightName, int[] shape, Initializer initializer, boolean trainableWeight) {
        Tensor value = Tensor.zeros(shape);
        // A fast, unsynchronised generator per weight, seeded from the layer generator: 138 M VGG16 weights
        // initialise in a fraction of a second, and a seed still fixes every value.
        initializer.fill(value, new SplittableRandom(random.nextLong()));
        Parameter p = new Parameter(this, weightName, value, trainableWeight);
        weights.add(p);
        return p;
    }

    /** Connects this layer to a functional model's tensors, as calling a Keras layer does: {@code y = conv.apply(x)}. */
    @SafeVarargs
    public final <T extends SymbolicInput<T>> T apply(T... inputs) {
        return apply((Boolean) null, inputs);
    }

    /**
     * Keras' {@code layer(x, training=False)}: this call always runs in that mode (null: the model's), so the
     * guide's {@code base_model(x, training=False)} keeps the base's BatchNormalization on its moving statistics
     * even while the base is unfrozen and its weights train.
     */
    @SafeVarargs
    public final <T extends SymbolicInput<T>> T apply(Boolean training, T... inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException(describe() + " was applied to no inputs");
        }
        requireApplicable();
        return inputs[0].connect(this, inputs, training);
    }

    /** Throws if this layer cannot be applied to tensors (an InputLayer is where a graph starts). */
    protected void requireApplicable() {
    }

    /** Whether this layer is a model input (an InputLayer), where a graph starts. */
    public boolean isInput() {
        return false;
    }

    /** The layers inside this one (a nested model's {@code layers}); empty for a plain layer. */
    public List<Layer> sublayers() {
        return List.of();
    }

    // ---------------------------------------------------------------- weights

    /** All weights in Keras order. */
    public List<Parameter> weights() {
        return Collections.unmodifiableList(weights);
    }

    /** The weights fit() updates: trainable weights of a layer whose trainable flag is on. */
    public List<Parameter> trainableWeights() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : weights()) {
            if (p.isTrainable() && isTrainable()) {
                out.add(p);
            }
        }
        return out;
    }

    /** The other weights: moving statistics, and every weight of a frozen layer. */
    public List<Parameter> nonTrainableWeights() {
        List<Parameter> out = new ArrayList<>(weights());
        out.removeAll(trainableWeights());
        return out;
    }

    /** Keras' {@code count_params()}. */
    public long countParams() {
        long n = 0;
        for (Parameter p : weights()) {
            n += p.value().size();
        }
        return n;
    }

    /** Copies of the weight values in Keras order (Keras' {@code get_weights()}). */
    public List<Tensor> getWeights() {
        List<Tensor> out = new ArrayList<>();
        for (Parameter p : weights()) {
            out.add(p.value().copy());
        }
        return out;
    }

    /** Keras' {@code set_weights()}: as many tensors as weights, each of exactly the weight's shape. */
    public void setWeights(List<Tensor> values) {
        List<Parameter> ws = weights();
        if (values.size() != ws.size()) {
            throw new IllegalArgumentException(describe() + " has " + ws.size() + " weights but " + values.size()
                    + " values were given");
        }
        for (int i = 0; i < ws.size(); i++) {
            ws.get(i).assign(values.get(i));
        }
    }

    // ---------------------------------------------------------------- running

    /** Runs the layer on a batch, its shapes checked against the built ones (an unbuilt layer is built from them). */
    public final Tensor forward(Tensor[] inputs, boolean training) {
        checkInputs(inputs);
        return computeForward(inputs, training);
    }

    /** The input shapes (no batch) the layer reads when fed {@code fed}: a conv with a folded zero border, padded. */
    protected int[][] shapesAsRead(int[][] fed) {
        return fed;
    }

    /** Checks the inputs' shapes against the built ones (building an unbuilt layer from them). */
    private void checkInputs(Tensor[] inputs) {
        int[][] shapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].rank() < 1) {
                throw shapeError("input " + i + " is a scalar; expected a batch");
            }
            shapes[i] = Shapes.withoutBatch(inputs[i].shape());
        }
        if (builtInputShapes == null) {
            build(shapes);
        } else {
            int[][] read = shapesAsRead(shapes);
            LayerArgs.checkCompatible(this, read, builtInputShapes, "expects");
            computeOutputShape(read);
        }
        for (int i = 1; i < inputs.length; i++) {
            if (inputs[i].dim(0) != inputs[0].dim(0)) {
                throw shapeError("inputs have different batch sizes: " + Shapes.toString(inputs[0].shape())
                        + " and " + Shapes.toString(inputs[i].shape()));
            }
        }
    }

    /** Inference on one input: {@code forward(new Tensor[] {x}, false)}. */
    public final Tensor forward(Tensor x) {
        return forward(new Tensor[] {x}, false);
    }

    /**
     * Backpropagates through the last forward call. Writes dL/dw into the weights' gradients when
     * {@code weightGradients} is true; returns dL/dx for input i when {@code inputGradientNeeded[i]} (else null).
     */
    public final Tensor[] backward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (weightGradients && !weights.isEmpty()) {
            weightGradientPasses++;
        }
        return computeBackward(outputGradient, inputGradientNeeded, weightGradients);
    }

    /** How many backward passes computed weight gradients (tests use it to prove frozen layers cost nothing). */
    public long weightGradientPasses() {
        return weightGradientPasses;
    }

    /** y = f(inputs). Shapes have been checked; remember what backward will need. */
    protected abstract Tensor computeForward(Tensor[] inputs, boolean training);

    /** See {@link #backward}. Weightless layers ignore {@code weightGradients}. */
    protected abstract Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients);

    // ---------------------------------------------------------------- what training and the planner ask

    /** Keras' {@code layer.activation} (null if none); training asks it to pair a softmax with cross-entropy. */
    public ActivationFunction outputActivation() {
        return null;
    }

    /** Whether its forward pass can end in the following layers' epilogue (a linear convolution can). */
    public boolean canTakeEpilogue() {
        return false;
    }

    /** Inference with the following layers folded in: y = after(this(x)). See {@link #canTakeEpilogue}. */
    public final Tensor forwardWithEpilogue(Tensor x, Epilogue after) {
        checkInputs(new Tensor[] {x});
        return computeForwardWithEpilogue(x, after);
    }

    /** See {@link #forwardWithEpilogue}; layers that answer {@link #canTakeEpilogue} true implement it. */
    protected Tensor computeForwardWithEpilogue(Tensor x, Epilogue after) {
        throw new UnsupportedOperationException(describe() + " cannot take an epilogue");
    }

    /** What this layer can become in an inference {@link Epilogue} (BN: SCALE_SHIFT, ...), or null. */
    public Epilogue.Step epilogueStep() {
        return null;
    }

    /** {@code e} followed by this layer as its {@link #epilogueStep()}; {@code residual}: an Add's other input. */
    public Epilogue appendToEpilogue(Epilogue e, Tensor residual) {
        throw new UnsupportedOperationException(describe() + " cannot be folded into an epilogue");
    }

    // ---------------------------------------------------------------- errors

    /** "Layer 'block1_conv1' (Conv2D)". */
    public String describe() {
        return "Layer '" + name + "' (" + className() + ")";
    }

    /** An exception whose message starts with this layer's name and class. */
    protected IllegalArgumentException shapeError(String message) {
        return new IllegalArgumentException(describe() + ": " + message);
    }

    /** Checks that the gradient flowing back has the shape of the output it belongs to. */
    protected void requireSameShape(String what, Tensor actual, Tensor expected) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            throw shapeError(what + " has shape " + Shapes.toString(actual.shape()) + " but "
                    + Shapes.toString(expected.shape()) + " was expected");
        }
    }

    /** Shapes with the batch axis shown as None, as Keras prints them. */
    protected static String shapesToString(int[][] shapes, boolean withBatch) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shapes.length; i++) {
            s.append(i == 0 ? "" : ", ").append(Shapes.toString(withBatch ? Shapes.withBatch(Shapes.UNKNOWN, shapes[i]) : shapes[i]));
        }
        return shapes.length == 1 ? s.toString() : "[" + s + "]";
    }

    @Override
    public String toString() {
        return describe();
    }
}
