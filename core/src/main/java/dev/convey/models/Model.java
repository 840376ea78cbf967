package dev.convey.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.data.BatchSequence;
import dev.convey.training.Callback;
import dev.convey.training.FitOptions;
import dev.convey.training.History;
import dev.convey.training.Loss;
import dev.convey.training.Metric;
import dev.convey.training.Optimizer;
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
 * <p>Forward runs the layers in an order where every layer comes after its inputs. Backward runs them in
 * reverse. A tensor read by several layers (the input of a residual block feeds both branches) receives the
 * sum of their gradients, since L depends on it through each of them: dL/dx = sum_consumers dL/dx|consumer.
 *
 * <p>Backward only does work that training needs. A node runs backward iff its layer has weights that were
 * trainable at compile time ({@link Layer#isTrainableWhenCompiled()}) or some node upstream of it (closer to
 * the input) does; it asks for the gradient of an input only if that input's node runs backward. A frozen
 * base under a trainable head therefore costs nothing in backward. This plan is computed once and reused
 * until the compile-time trainable flags change.
 */
public class Model extends Layer {

    private Graph graph;
    private List<SymbolicTensor> inputs;
    private BackwardPlan plan;
    private InferenceFusion fusion;

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
        this.plan = null;
        this.fusion = null;
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
                + closestNames(name, 5) + " (" + layers().size() + " layers in all)");
    }

    private List<String> closestNames(String name, int count) {
        List<String> names = new ArrayList<>();
        for (Layer l : layers()) {
            names.add(l.name());
        }
        names.sort(Comparator.comparingInt(n -> editDistance(n, name)));
        return names.subList(0, Math.min(count, names.size()));
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
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
        return fusion == null ? "" : fusion.toString();
    }

    /**
     * Runs every node after its inputs; an input node's value is the batch fed for it. Conv -> BatchNorm [-> Add]
     * [-> Activation] chains whose batch norm is in inference mode run as one fused convolution
     * ({@link InferenceFusion}).
     */
    @Override
    protected Tensor computeForward(Tensor[] batch, boolean training) {
        Graph g = graph();
        if (fusion == null) {
            fusion = InferenceFusion.of(g);
        }
        fusion.beginPass(training, training ? planFor(g, new boolean[g.inputNodes.size()]).runs : null);
        for (Node node : g.nodes) {
            if (node.modelInput >= 0) {
                node.value = batch[node.modelInput];
                continue;
            }
            if (fusion.computed(node)) {
                continue;
            }
            Tensor[] in = new Tensor[node.inputs.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = node.inputs[i].value;
            }
            node.value = fusion.forward(node, in, training);
        }
        return g.outputNode.value;
    }

    // ---------------------------------------------------------------- Layer: backward

    /**
     * Backpropagates dL/d(output) through the nodes the plan marks, in reverse execution order, and returns
     * dL/d(input i) where asked. Layers compute weight gradients only if {@code weightGradients} and they
     * were trainable at compile time.
     */
    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        Graph g = graph();
        if (inputGradientNeeded.length != g.inputNodes.size()) {
            throw new IllegalArgumentException(describe() + ": " + inputGradientNeeded.length + " input-gradient flags for "
                    + g.inputNodes.size() + " inputs");
        }
        if (g.outputNode.value == null) {
            throw new IllegalStateException(describe() + ": backward called before forward");
        }
        BackwardPlan p = planFor(g, inputGradientNeeded);
        if (fusion != null) {
            fusion.unfuse(p.runs);
        }
        for (Node node : g.nodes) {
            node.gradient = null;
        }
        if (p.runs[g.outputNode.index]) {
            g.outputNode.gradient = outputGradient;
        }
        for (int k = g.nodes.size() - 1; k >= 0; k--) {
            Node node = g.nodes.get(k);
            if (!p.runs[k] || node.modelInput >= 0) {
                continue;
            }
            boolean[] wanted = p.inputGradientNeeded[k];
            Tensor[] grads = node.layer.backward(node.gradient, wanted, weightGradients && p.trains[k]);
            for (int i = 0; i < wanted.length; i++) {
                if (wanted[i]) {
                    if (grads[i] == null) {
                        throw new IllegalStateException(node.layer.describe() + " returned no gradient for input " + i);
                    }
                    accumulate(node.inputs[i], grads[i]);
                }
            }
        }
        Tensor[] out = new Tensor[g.inputNodes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = inputGradientNeeded[i] ? g.inputNodes.get(i).gradient : null;
        }
        return out;
    }

    /**
     * Adds one consumer's dL/d(node value). The first contribution is used as it is (it is the consumer's
     * buffer, untouched until the next pass); the second is summed with it into a buffer the node keeps for the
     * purpose (one pass, sum = first + second, rather than a copy then an add); later ones are added into that.
     */
    private static void accumulate(Node node, Tensor g) {
        if (node.gradient == null) {
            node.gradient = g;
            return;
        }
        if (!Arrays.equals(node.gradient.shape(), g.shape())) {
            throw new IllegalStateException("Gradients flowing into the output of " + node.layer.describe()
                    + " have different shapes: " + Shapes.toString(node.gradient.shape()) + " and " + Shapes.toString(g.shape()));
        }
        if (node.gradient != node.gradientSum) {
            node.gradientSum = Tensor.reuse(node.gradientSum, g.shape());
            addInto(node.gradientSum, node.gradient, g);
            node.gradient = node.gradientSum;
        } else {
            addInto(node.gradientSum, node.gradientSum, g);
        }
    }

    /** sum[j] = a[j] + b[j] (sum may be a). */
    private static void addInto(Tensor sum, Tensor a, Tensor b) {
        Parallel.range(sum.size(), 1 << 15, (start, end) -> {
            for (int j = start; j < end; j++) {
                sum.data().put(j, a.data().get(j) + b.data().get(j));
            }
        });
    }

    /** True if backward would compute weight gradients in this layer: trainable at compile time and has some. */
    static boolean trainsWhenCompiled(Layer layer) {
        if (!layer.isTrainableWhenCompiled()) {
            return false;
        }
        if (layer instanceof Model) {
            for (Layer inner : ((Model) layer).layers()) {
                if (trainsWhenCompiled(inner)) {
                    return true;
                }
            }
            return false;
        }
        for (Parameter p : layer.weights()) {
            if (p.isTrainable()) {
                return true;
            }
        }
        return false;
    }

    private BackwardPlan planFor(Graph g, boolean[] inputGradientNeeded) {
        boolean[] trains = new boolean[g.nodes.size()];
        for (Node node : g.nodes) {
            trains[node.index] = trainsWhenCompiled(node.layer);
        }
        if (plan == null || !Arrays.equals(plan.trains, trains) || !Arrays.equals(plan.requestedInputs, inputGradientNeeded)) {
            plan = new BackwardPlan(g, trains, inputGradientNeeded.clone());
        }
        return plan;
    }

    /** Which nodes run backward and which input gradients each computes, for given flags and requests. */
    static final class BackwardPlan {
        final boolean[] trains;
        final boolean[] requestedInputs;
        /** runs[k]: node k needs dL/d(its output), so it runs backward. */
        final boolean[] runs;
        final boolean[][] inputGradientNeeded;

        BackwardPlan(Graph g, boolean[] trains, boolean[] requestedInputs) {
            this.trains = trains;
            this.requestedInputs = requestedInputs;
            int n = g.nodes.size();
            runs = new boolean[n];
            inputGradientNeeded = new boolean[n][];
            for (Node node : g.nodes) { // execution order: a node's inputs are decided before it
                boolean[] wanted = new boolean[node.inputs.length];
                boolean anyInput = false;
                for (int i = 0; i < wanted.length; i++) {
                    wanted[i] = runs[node.inputs[i].index];
                    anyInput |= wanted[i];
                }
                inputGradientNeeded[node.index] = wanted;
                boolean requested = node.modelInput >= 0 && requestedInputs[node.modelInput];
                runs[node.index] = trains[node.index] || anyInput || requested;
            }
        }
    }

    /** How many nodes run backward under the current flags when no input gradient is requested (for tests). */
    int nodesRunningBackward() {
        BackwardPlan p = planFor(graph(), new boolean[graph().inputNodes.size()]);
        int count = 0;
        for (boolean r : p.runs) {
            count += r ? 1 : 0;
        }
        return count;
    }

    // ================================================================ training: Keras' compile / fit / evaluate / predict
    // Thin delegations; the engine (steps, losses, optimizers, callbacks) lives in Trainer.

    private Trainer trainer;

    /**
     * Keras' {@code compile(optimizer, loss, metrics)} with names: {@code compile(new Adam(), "categorical_crossentropy",
     * "accuracy")}. Records every layer's trainable flag (changes made later need another compile, as in Keras).
     */
    public void compile(Optimizer optimizer, String loss, String... metrics) {
        trainer = new Trainer(this, optimizer, loss, metrics);
    }

    /** Keras' {@code compile} with loss and metric objects. */
    public void compile(Optimizer optimizer, Loss loss,
            Metric... metrics) {
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
    public History fit(Tensor x, Tensor y, int batchSize, int epochs,
            Callback... callbacks) {
        return fit(x, y, FitOptions.builder().batchSize(batchSize).epochs(epochs)
                .callbacks(callbacks).build());
    }

    /** Keras' {@code fit(x, y, ...)} with every option (validation, shuffle, seed, verbose) in a builder. */
    public History fit(Tensor x, Tensor y, FitOptions options) {
        return trainer().fit(x, y, options);
    }

    /** Keras' {@code fit(sequence, epochs, validation_data=sequence, callbacks)}; {@code validation} may be null. */
    public History fit(BatchSequence train, int epochs,
            BatchSequence validation, Callback... callbacks) {
        return trainer().fit(train, epochs, validation, true, List.of(callbacks));
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
