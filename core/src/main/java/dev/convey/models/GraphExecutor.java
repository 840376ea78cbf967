package dev.convey.models;

import java.util.Arrays;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.BufferPool;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Runs a model's {@link Graph}. Forward runs the layers in an order where every layer comes after its inputs.
 * Backward runs them in reverse, through the nodes the {@link BackwardPlan} marks. A tensor read by several
 * layers (the input of a residual block feeds both branches) receives the sum of their gradients, since L
 * depends on it through each of them: dL/dx = sum_consumers dL/dx|consumer.
 *
 * <p>An inference pass releases each value after its last reader ({@link Liveness}) into this executor's
 * {@link BufferPool}, from which the next layers take their output buffers.
 */
final class GraphExecutor {

    private final Graph graph;
    private final BufferPool pool = new BufferPool();
    private BackwardPlan plan;
    private InferenceFusion fusion;
    private TrainingFusion trainingFusion;
    private PaddingFold paddingFold;
    private ExciteFold exciteFold;
    private Liveness liveness;
    /** The last forward pass released values: backward must compute them again first. */
    private boolean lastPassReleased;

    GraphExecutor(Graph graph) {
        this.graph = graph;
    }

    /** The pool this executor's outermost passes use (for tests). */
    BufferPool bufferPool() {
        return pool;
    }

    /** The fused chains of {@link InferenceFusion}, one per line, once a forward pass has found them (for tests). */
    String inferenceFusionChains() {
        return fusion == null ? "" : fusion.toString();
    }

    /** The pairs {@link TrainingFusion} ran fused in the last forward pass, one per line (for tests). */
    String trainingFusionPairs() {
        return trainingFusion == null ? "" : trainingFusion.toString();
    }

    /** The foldable paddings of {@link PaddingFold}, one per line, once a forward pass has found them (for tests). */
    String paddingFolds() {
        return paddingFold == null ? "" : paddingFold.toString();
    }

    /** The foldable excite multiplies of {@link ExciteFold}, one per line, once a forward pass found them (for tests). */
    String exciteFolds() {
        return exciteFold == null ? "" : exciteFold.toString();
    }

    /**
     * Runs every node after its inputs; an input node's value is the batch fed for it. Conv -> BatchNorm [-> Add]
     * [-> Activation] chains whose batch norm is in inference mode run as one fused convolution
     * ({@link InferenceFusion}); in a training pass a batch norm and the relu after it run as one layer
     * ({@link TrainingFusion}). An inference pass (not training, and not nested in a training pass) releases
     * each value after its last reader ({@link Liveness}).
     */
    Tensor forward(Tensor[] batch, boolean training) {
        return forward(batch, training, !training);
    }

    /** {@link #forward(Tensor[], boolean)}, releasing values only if {@code release} (false: a reference for tests). */
    Tensor forward(Tensor[] batch, boolean training, boolean release) {
        Graph g = graph;
        if (fusion == null) {
            fusion = InferenceFusion.of(g);
            trainingFusion = TrainingFusion.of(g);
            paddingFold = PaddingFold.of(g);
            exciteFold = ExciteFold.of(g);
            liveness = new Liveness(g);
        }
        fusion.beginPass(training, training ? planFor(g, new boolean[g.inputNodes.size()]).runs : null);
        trainingFusion.beginPass(training);
        liveness.beginPass();
        try (BufferPool.Pass pass = BufferPool.join(pool, release)) {
            lastPassReleased = pass.releases();
            paddingFold.beginPass(lastPassReleased && !training);
            exciteFold.beginPass(lastPassReleased && !training);
            for (Node node : g.nodes) {
                if (node.modelInput >= 0) {
                    node.value = batch[node.modelInput];
                } else if (paddingFold.passesOn(node)) {
                    node.value = node.inputs[0].value;
                } else if (exciteFold.passesOn(node)) {
                    exciteFold.passOn(node);
                    node.value = node.inputs[0].value;
                } else if (!fusion.computed(node) && !trainingFusion.computed(node)) {
                    Tensor[] in = new Tensor[node.inputs.length];
                    for (int i = 0; i < in.length; i++) {
                        in[i] = node.inputs[i].value;
                    }
                    paddingFold.beforeRunning(node);
                    exciteFold.beforeRunning(node);
                    try {
                        Tensor fused = trainingFusion.forward(node, in, training);   // null: no pair here
                        node.value = fused != null ? fused : fusion.forward(node, in, training);
                    } finally {
                        paddingFold.afterRunning(node);
                        exciteFold.afterRunning(node);
                    }
                }
                if (lastPassReleased) {
                    liveness.afterRunning(node, pass.pool());
                }
            }
        }
        return g.outputNode.value;
    }


    /**
     * Backpropagates dL/d(output) through the nodes the plan marks, in reverse execution order, and returns
     * dL/d(input i) where asked. Layers compute weight gradients only if {@code weightGradients} and they
     * were trainable at compile time.
     */
    Tensor[] backward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients, String owner) {
        Graph g = graph;
        if (inputGradientNeeded.length != g.inputNodes.size()) {
            throw new IllegalArgumentException(owner + ": " + inputGradientNeeded.length + " input-gradient flags for "
                    + g.inputNodes.size() + " inputs");
        }
        if (g.outputNode.value == null) {
            throw new IllegalStateException(owner + ": backward called before forward");
        }
        if (lastPassReleased) {
            // Backward after an inference pass (a gradient check, a saliency map): the layers' outputs it reads
            // were released; compute them again on the same inputs, keeping them (as unfuse re-runs a chain).
            Tensor[] batch = new Tensor[g.inputNodes.size()];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = g.inputNodes.get(i).value;
            }
            forward(batch, false, false);
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
            // an activation its producer ran (TrainingFusion) passes dL/dy on: the producer applies its derivative
            Tensor[] grads = trainingFusion != null && trainingFusion.passesGradientOn(node) ? new Tensor[] {node.gradient}
                    : node.layer.backward(node.gradient, wanted, weightGradients && p.trains[k]);
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
        Scratch.add(sum.data(), a.data(), b.data(), sum.size());
    }

    /** True if backward would compute weight gradients in this layer: trainable at compile time and has some. */
    static boolean trainsWhenCompiled(Layer layer) {
        if (!layer.isTrainableWhenCompiled()) {
            return false;
        }
        if (!layer.sublayers().isEmpty()) {
            for (Layer inner : layer.sublayers()) {
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

    /** How many nodes run backward under the current flags when no input gradient is requested (for tests). */
    int nodesRunningBackward() {
        BackwardPlan p = planFor(graph, new boolean[graph.inputNodes.size()]);
        int count = 0;
        for (boolean r : p.runs) {
            count += r ? 1 : 0;
        }
        return count;
    }
}
