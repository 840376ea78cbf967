package dev.convey.models;

import java.util.Arrays;

import dev.convey.layers.ActivationFunction;
import dev.convey.layers.ElementwiseActivation;
import dev.convey.layers.TakesActivation;
import dev.convey.tensor.Tensor;

/**
 * The training planner: a layer followed by the element-wise activation it can take, run as one layer in a
 * training pass: ResNet's {@code conv -> bn -> relu} (33 of ResNet50's 49 relus; the 16 after a block's Add stay
 * apart). In training a batch norm normalises with the batch's statistics, so it cannot
 * fold into the convolution before it as in inference ({@link InferenceFusion}); what it can do is apply the
 * activation to its output while writing it, and the activation's derivative to the gradient while reading it:
 * <pre>
 *   forward:  y = relu(gamma * (x - mu) * istd + beta), written once (no separate batch-norm output)
 *   backward: g = dL/dy * [y > 0] enters the batch norm's sums and dx pass directly (no relu backward pass,
 *             no buffer for dL/d(bn output))
 * </pre>
 * It asks the layers, never their classes: the activation's {@code elementwiseActivation()}
 * ({@link ElementwiseActivation}) and the producer's {@code canTakeActivation(f)} ({@link TakesActivation}). A pair qualifies when the activation is the only reader of the producer's value,
 * neither is the model's output, and both were in the same trainable state at compile time (a frozen batch norm
 * under a trainable activation, or the reverse, runs as before). The numbers are those of the two layers one by one
 * (same arithmetic in the same order: bit for bit, see BatchNormKernels).
 *
 * <p>The layers one by one stay the reference: system property {@code convey.fuseTraining=false} (read at each
 * pass) runs them so. Inference passes are never fused here.
 */
final class TrainingFusion {

    /** System property: {@code false} runs every layer on its own in training, read at each pass (for A/B probes). */
    static final String PROPERTY = "convey.fuseTraining";

    /** Per node index: the activation node the node may take, or null. */
    private final Node[] activationOf;
    /** Per node index: an activation computed (forward) and passed through (backward) by its producer this pass. */
    private final boolean[] runByProducer;
    private boolean on;

    private TrainingFusion(Node[] activationOf) {
        this.activationOf = activationOf;
        this.runByProducer = new boolean[activationOf.length];
    }

    /** Finds the producer -> activation pairs of a graph (the trainable states are checked at each pass). */
    static TrainingFusion of(Graph g) {
        Node[] sole = g.soleConsumers();
        Node[] pairs = new Node[g.nodes.size()];
        for (Node node : g.nodes) {
            Node act = sole[node.index];
            if (node.modelInput < 0 && act != null && act != g.outputNode && act.inputs.length == 1) {
                ActivationFunction f = act.layer instanceof ElementwiseActivation e ? e.elementwiseActivation() : null;
                if (f != null && node.layer instanceof TakesActivation t && t.canTakeActivation(f)) {
                    pairs[node.index] = act;
                }
            }
        }
        return new TrainingFusion(pairs);
    }

    /** Starts a forward pass: pairs fuse only in a training pass, and only without the switch. */
    void beginPass(boolean training) {
        Arrays.fill(runByProducer, false);
        on = training && !"false".equals(System.getProperty(PROPERTY));
    }

    /** True if the node is an activation its producer computed in this pass (forward: skip it). */
    boolean computed(Node node) {
        return runByProducer[node.index];
    }

    /**
     * Runs the node with its activation if a fusable pair starts here in this pass and returns the pair's output
     * (also the activation node's value); null if not, and the caller runs the node as usual.
     */
    Tensor forward(Node node, Tensor[] in, boolean training) {
        Node act = on ? activationOf[node.index] : null;
        if (act == null || node.layer.isTrainableWhenCompiled() != act.layer.isTrainableWhenCompiled()) {
            return null;
        }
        ((TakesActivation) node.layer).takeActivation(((ElementwiseActivation) act.layer).elementwiseActivation());
        Tensor y = node.layer.forward(in, node.training(training));
        act.value = y;
        runByProducer[act.index] = true;
        return y;
    }

    /**
     * True if backward passes dL/d(this activation's output) on to its producer as it is: the producer's backward
     * applies the activation's derivative (it ran the activation in the last forward pass).
     */
    boolean passesGradientOn(Node node) {
        return runByProducer[node.index];
    }

    /** The pairs the last pass ran fused ("bn -> activation" by layer name), one per line, for tests and debugging. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Node act : activationOf) {
            if (act != null && runByProducer[act.index]) {
                s.append(act.inputs[0].layer.name()).append(" -> ").append(act.layer.name()).append('\n');
            }
        }
        return s.toString();
    }
}
