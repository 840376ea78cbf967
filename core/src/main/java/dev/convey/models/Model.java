package dev.convey.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.convey.layers.ActivationFunction;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.training.TrainableModel;
import dev.convey.training.Trainer;

/**
 * A functional model (Keras' {@code Model(inputs, outputs)}): a directed acyclic graph of layers from one or
 * more {@link Input}s to one output.
 *
 * <pre>
 *   SymbolicTensor x = Input.of(32, 32, 3);
 *   SymbolicTensor y = new Conv2D(8, 3).apply(x);
 *   y = new Add().apply(y, new Conv2D(8, 1).padding("same").apply(x));
 *   Model m = new Model(x, y, "tiny");
 * </pre>
 *
 * <p>A model is itself a {@link Layer}: it can be applied to symbolic tensors and nested inside another model
 * ({@code base.apply(x)}), and {@code setTrainable(false)} freezes every layer inside it.
 *
 * <p>This class is the Keras-facing facade: structure ({@code layers}, {@code getLayer}, {@code outputOf}),
 * trainable flags and {@code summary}. The graph is {@link Graph}; running it forward and backward is
 * {@link GraphExecutor}'s (with {@link BackwardPlan} and {@link InferenceFusion}); {@code compile}, {@code fit},
 * {@code evaluate} and {@code predict} are inherited from {@link TrainableModel}.
 */
public class Model extends TrainableModel {

    private Graph graph;
    private List<SymbolicTensor> inputs;
    private GraphExecutor executor;

    /** A model with one input. */
    public Model(SymbolicTensor input, SymbolicTensor output, String name) {
        this(List.of(input), output, name);
    }

    /** A model with several inputs (forward takes the batches in this order) and one output. */
    public Model(List<SymbolicTensor> inputs, SymbolicTensor output, String name) {
        this(name, "model");
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException(describe() + " needs at least one input");
        }
        setGraph(inputs, output);
        build(inputShapesOf(inputs));
    }

    /** For subclasses that set their graph later ({@link Sequential}). */
    protected Model(String name, String defaultNameStem) {
        super(defaultNameStem);
        if (name != null) {
            name(name);
        }
    }

    /** Maps (or re-maps, for Sequential) the graph. */
    final void setGraph(List<SymbolicTensor> newInputs, SymbolicTensor output) {
        if (output == null) {
            throw new IllegalArgumentException(describe() + ": the output is null; a model has exactly one output");
        }
        this.graph = Graph.map(newInputs, output, describe());
        this.inputs = List.copyOf(newInputs);
        this.executor = new GraphExecutor(graph);
    }

    static int[][] inputShapesOf(List<SymbolicTensor> tensors) {
        int[][] shapes = new int[tensors.size()][];
        for (int i = 0; i < shapes.length; i++) {
            shapes[i] = tensors.get(i).shape();
        }
        return shapes;
    }

    /** The graph; subclasses with a deferred build override this to build first. */
    Graph graph() {
        if (graph == null) {
            throw new IllegalStateException(describe() + " has not been built yet: its input shape is unknown (start it "
                    + "with an InputLayer, or call build(shape) or forward once)");
        }
        return graph;
    }

    // ---------------------------------------------------------------- structure (Keras' names)

    /** Keras' {@code model.layers}: every layer of the graph in Keras' order, the InputLayer(s) first. */
    public List<Layer> layers() {
        return graph().layers;
    }

    /** Keras' {@code model.inputs}. */
    public List<SymbolicTensor> inputs() {
        graph();
        return inputs;
    }

    /** Keras' {@code model.input} for a model with one input. */
    public SymbolicTensor input() {
        List<SymbolicTensor> ins = inputs();
        if (ins.size() != 1) {
            throw new IllegalStateException(describe() + " has " + ins.size() + " inputs; use inputs()");
        }
        return ins.get(0);
    }

    /** Keras' {@code model.output}. */
    public SymbolicTensor output() {
        return graph().outputNode.tensor;
    }

    /**
     * The output of a layer of this model, Keras' {@code model.get_layer(name).output}: build a feature
     * extractor with {@code new Model(m.inputs(), m.outputOf("block5_pool"), "features")}.
     */
    public SymbolicTensor outputOf(String layerName) {
        return graph().nodeByLayerName.get(getLayer(layerName).name()).tensor;
    }

    /** Keras' {@code model.get_layer(name)}; the error lists the closest names. */
    public Layer getLayer(String name) {
        for (Layer l : layers()) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException(describe() + " has no layer named '" + name + "'. Closest names: "
                + Names.closest(layers(), name, 5) + " (" + layers().size() + " layers in all)");
    }

    // ---------------------------------------------------------------- weights and trainable flags

    /** Keras' {@code model.weights}: the weights of every layer, layer by layer in {@link #layers()} order. */
    @Override
    public List<Parameter> weights() {
        List<Parameter> out = new ArrayList<>();
        for (Layer l : layers()) {
            out.addAll(l.weights());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Keras' {@code model.trainable_weights}, following the current flags: empty if this model is frozen, else
     * the trainable weights of its layers in order.
     */
    @Override
    public List<Parameter> trainableWeights() {
        List<Parameter> out = new ArrayList<>();
        if (isTrainable()) {
            for (Layer l : layers()) {
                out.addAll(l.trainableWeights());
            }
        }
        return out;
    }

    /** Sets the flag of this model and of every layer inside it, recursively (tf.keras' behaviour). */
    @Override
    public void setTrainable(boolean trainable) {
        super.setTrainable(trainable);
        for (Layer l : layers()) {
            l.setTrainable(trainable);
        }
    }

    /** Records the current flags of this model and of every layer inside it for training (compile() calls it). */
    @Override
    public void snapshotTrainable() {
        super.snapshotTrainable();
        for (Layer l : layers()) {
            l.snapshotTrainable();
        }
    }

    /**
     * Freezes the layers up to and including {@code layerName} (in {@link #layers()} order) and makes the
     * rest trainable, as fine-tuning does with {@code for layer in model.layers[:i+1]: layer.trainable = False}.
     * This model's own flag is turned on. Takes effect at the next compile().
     */
    public void freezeUpTo(String layerName) {
        int last = layers().indexOf(getLayer(layerName));
        setLayersTrainableFrom(last + 1);
    }

    /**
     * Keras tutorials' {@code for layer in model.layers[:-n]: layer.trainable = False}: all layers but the last
     * {@code n} are frozen and the last {@code n} made trainable. Like that loop, it counts every entry of
     * {@link #layers()}, weightless ones (pooling, activations, the InputLayer) included.
     */
    public void trainOnlyLast(int n) {
        if (n < 0) {
            throw new IllegalArgumentException(describe() + ": trainOnlyLast needs n >= 0, got " + n);
        }
        setLayersTrainableFrom(Math.max(0, layers().size() - n));
    }

    private void setLayersTrainableFrom(int firstTrainable) {
        super.setTrainable(true);
        List<Layer> ls = layers();
        for (int i = 0; i < ls.size(); i++) {
            ls.get(i).setTrainable(i >= firstTrainable);
        }
    }

    // ---------------------------------------------------------------- several inputs by name

    /**
     * Keras' {@code model.predict({"input_a": a, "input_b": b})}: one batch per model input, matched to the
     * inputs by their InputLayer names (see {@link #orderInputs}); inference mode, a new tensor.
     */
    public Tensor predict(Map<String, Tensor> inputs, int batchSize) {
        return Trainer.predict(this, orderInputs(inputs, "the inputs"), batchSize);
    }

    /**
     * The arrays of {@code arrays} in this model's input order: each input takes the array named like its
     * InputLayer; arrays named {@code arr_0}, {@code arr_1}, ... ({@code np.savez(f, a, b)} without names) are
     * taken by position instead; a single array feeds a single input whatever its name. Every array must be
     * used and have its input's shape (the batch axis first); errors name {@code source}, the array and the
     * input.
     */
    public Tensor[] orderInputs(Map<String, Tensor> arrays, String source) {
        List<SymbolicTensor> ins = inputs();
        List<String> names = new ArrayList<>();
        ins.forEach(t -> names.add(t.layer().name()));
        List<String> keys = new ArrayList<>(arrays.keySet());
        List<String> chosen;
        if (arrays.keySet().containsAll(names)) {
            chosen = names;
        } else if (keys.size() == ins.size() && (keys.size() == 1 || positional(keys))) {
            chosen = keys.size() == 1 ? keys : positionalOrder(keys.size());
        } else {
            List<String> missing = new ArrayList<>(names);
            missing.removeAll(arrays.keySet());
            throw new IllegalArgumentException(source + " holds the arrays " + keys + " but " + describe()
                    + " takes the inputs " + names + " (missing: " + missing + "); name each array like its input");
        }
        if (arrays.size() != chosen.size()) {
            List<String> unused = new ArrayList<>(keys);
            unused.removeAll(chosen);
            throw new IllegalArgumentException(source + ": the arrays " + unused + " are not inputs of " + describe()
                    + " (its inputs: " + names + ")");
        }
        Tensor[] out = new Tensor[ins.size()];
        for (int i = 0; i < out.length; i++) {
            Tensor x = arrays.get(chosen.get(i));
            int[] expected = ins.get(i).shape();
            if (x.rank() != expected.length + 1 || !compatible(Shapes.withoutBatch(x.shape()), expected)) {
                throw new IllegalArgumentException(source + ": array '" + chosen.get(i) + "' has shape "
                        + Shapes.toString(x.shape()) + " but input '" + names.get(i) + "' of " + describe()
                        + " expects " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, expected)));
            }
            out[i] = x;
        }
        return out;
    }

    private static boolean positional(List<String> keys) {
        return new java.util.HashSet<>(keys).equals(new java.util.HashSet<>(positionalOrder(keys.size())));
    }

    private static List<String> positionalOrder(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("arr_" + i);
        }
        return out;
    }

    /** Keras' {@code model.summary()}. */
    public String summary() {
        return Summary.of(this, graph());
    }

    // ---------------------------------------------------------------- Layer: shapes

    /** The model's output shape for inputs compatible with its Input shapes. */
    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        Graph g = graph();
        if (inputShapes.length != g.inputNodes.size()) {
            throw shapeError("expects " + g.inputNodes.size() + " input(s), got " + inputShapes.length);
        }
        for (int i = 0; i < inputShapes.length; i++) {
            int[] expected = g.inputNodes.get(i).tensor.shape();
            if (!compatible(inputShapes[i], expected)) {
                throw shapeError("input " + i + " ('" + g.inputNodes.get(i).layer.name() + "') expects shape "
                        + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, expected)) + " but got "
                        + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, inputShapes[i])));
            }
        }
        return g.outputNode.tensor.shape();
    }

    private static boolean compatible(int[] actual, int[] expected) {
        if (actual.length != expected.length) {
            return false;
        }
        for (int a = 0; a < actual.length; a++) {
            if (actual[a] != expected[a] && actual[a] != Shapes.UNKNOWN && expected[a] != Shapes.UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- Layer: forward

    /** The fused chains of {@link InferenceFusion}, one per line, once a forward pass has found them (for tests). */
    String inferenceFusionChains() {
        return executor.inferenceFusionChains();
    }

    /** The batch norm -> relu pairs the last forward pass ran fused in training (TrainingFusion), one per line. */
    String trainingFusionPairs() {
        return executor.trainingFusionPairs();
    }

    /** The paddings {@link PaddingFold} folds into their readers, one per line, after a forward pass (for tests). */
    String paddingFolds() {
        return executor.paddingFolds();
    }

    /** The excite multiplies folded into their readers' kernels ({@link ExciteFold}), one per line (for tests). */
    String exciteFolds() {
        return executor.exciteFolds();
    }

    /** An inference pass that releases no value: the reference that buffer reuse by liveness equals (for tests). */
    Tensor forwardKeepingValues(Tensor... batch) {
        return executor.forward(batch, false, false);
    }

    /** The pool of this model's inference passes (for tests). */
    dev.convey.tensor.BufferPool bufferPool() {
        return executor.bufferPool();
    }

    // ---------------------------------------------------------------- Layer: forward and backward

    /** See {@link GraphExecutor#forward}. */
    @Override
    protected Tensor computeForward(Tensor[] batch, boolean training) {
        return executor.forward(batch, training);
    }

    /** See {@link GraphExecutor#backward}. */
    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        return executor.backward(outputGradient, inputGradientNeeded, weightGradients, describe());
    }

    /** How many nodes run backward under the current flags when no input gradient is requested (for tests). */
    int nodesRunningBackward() {
        return executor.nodesRunningBackward();
    }

    // ---------------------------------------------------------------- what training asks

    /** A model's layers are inside it: training collects their weights. */
    @Override
    public List<Layer> sublayers() {
        return layers();
    }

    /** The activation of the layer producing the output. */
    @Override
    public ActivationFunction outputActivation() {
        return output().layer().outputActivation();
    }
}
