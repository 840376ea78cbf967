package dev.convey.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.convey.layers.Epilogue;
import dev.convey.tensor.Tensor;

/**
 * The inference planner: Conv2D -> BatchNormalization [-> Add] [-> Activation] chains of a model's graph, run
 * as one fused convolution when the batch norm is in inference mode: ResNet's {@code conv -> bn -> relu} (33 times in ResNet50) and the
 * end of each residual block, {@code conv -> bn -> add(shortcut, .) -> relu} (16 times).
 *
 * <p>An inference-mode batch norm is a per-channel affine map y = x * s + t, so the convolution applies it, the
 * shortcut's addition and the activation after them, to each GEMM block while the block is still in cache:
 * the planner builds that {@link Epilogue} value and passes it down ({@code Layer.forwardWithEpilogue}). It
 * asks the layers, never their classes: the producer {@code canTakeEpilogue()} (a linear convolution), and
 * each link's {@code epilogueStep()} (SCALE_SHIFT, then RESIDUAL, then ACTIVATION); the passes of up to three layers over every feature map disappear and the
 * numbers are the same (a two-term float sum does not depend on the order of its terms). A chain qualifies
 * when the convolution is linear and each link is the only reader of the previous one's output (nothing else
 * needs the intermediate values); an Add qualifies with two inputs, the other one (the residual) computed
 * before the convolution in the execution order. The batch norm is in inference mode when the pass is not
 * training, or when it was frozen at compile time (a frozen base under a trainable head: the whole base runs
 * fused).
 *
 * <p>A fused pass leaves the three layers without what their backward passes need. If backward must run
 * through a chain (the plan says so), {@link #unfuse} first re-runs the chain's layers one by one on the same
 * input; their outputs equal the fused output the downstream layers already read.
 */
final class InferenceFusion {

    /**
     * One fusable chain; {@code add} (with its other input, {@code residual}) and {@code activation} are null where
     * the chain ends earlier.
     */
    private record Chain(Node conv, Node bn, Node add, Node residual, Node activation) {

        Node last() {
            return activation != null ? activation : add != null ? add : bn;
        }

        boolean inferenceMode(boolean training) {
            return !bn.training(training) || !bn.layer.isTrainableWhenCompiled();
        }

        boolean backwardRuns(boolean[] runs) {
            return runs != null && (runs[conv.index] || runs[bn.index] || (add != null && runs[add.index])
                    || runs[last().index]);
        }
    }

    /** The chain starting at each conv node index, or null. */
    private final Chain[] startingAt;
    /** Per node index: its value was computed by a fused chain in the current pass. */
    private final boolean[] computedByChain;
    private final List<Chain> fusedLastPass = new ArrayList<>();
    private boolean lastPassTraining;
    private boolean[] expectedBackward;

    private InferenceFusion(Chain[] startingAt) {
        this.startingAt = startingAt;
        this.computedByChain = new boolean[startingAt.length];
    }

    /** Finds the fusable chains of a graph. */
    static InferenceFusion of(Graph g) {
        int n = g.nodes.size();
        Node[] soleConsumer = new Node[n];
        for (Node node : g.nodes) {
            for (Node in : node.inputs) {
                soleConsumer[in.index] = in.consumerSlots == 1 && in != g.outputNode ? node : null;
            }
        }
        int[] position = new int[n];   // in the execution order
        for (int i = 0; i < n; i++) {
            position[g.nodes.get(i).index] = i;
        }
        Chain[] chains = new Chain[n];
        for (Node node : g.nodes) {
            Node bn = soleConsumer[node.index];
            if (node.layer.canTakeEpilogue() && bn != null && step(bn) == Epilogue.Step.SCALE_SHIFT) {
                Node next = soleConsumer[bn.index];
                Node add = null;
                Node residual = null;
                if (next != null && step(next) == Epilogue.Step.RESIDUAL && next.inputs.length == 2) {
                    Node other = next.inputs[0] == bn ? next.inputs[1] : next.inputs[0];
                    if (position[other.index] < position[node.index]) {
                        add = next;
                        residual = other;
                        next = soleConsumer[add.index];
                    }
                }
                Node act = next != null && step(next) == Epilogue.Step.ACTIVATION ? next : null;
                chains[node.index] = new Chain(node, bn, add, residual, act);
            }
        }
        return new InferenceFusion(chains);
    }

    private static Epilogue.Step step(Node node) {
        return node.layer.epilogueStep();
    }

    /**
     * Starts a forward pass. {@code expectedBackward} (null in inference) marks the nodes the coming training
     * step's backward pass runs through: those chains run unfused, as they would be re-run anyway.
     */
    void beginPass(boolean training, boolean[] expectedBackward) {
        Arrays.fill(computedByChain, false);
        fusedLastPass.clear();
        lastPassTraining = training;
        this.expectedBackward = expectedBackward;
    }

    /** True if the node's value was already computed by the fused chain it belongs to. */
    boolean computed(Node node) {
        return computedByChain[node.index];
    }

    /**
     * Runs the node in a pass of mode {@code training} (the node's own {@code training=} wins): the whole chain
     * fused if one starts here and may be fused, else the layer alone.
     */
    Tensor forward(Node node, Tensor[] in, boolean training) {
        Chain c = startingAt[node.index];
        if (c == null || !c.inferenceMode(training) || c.backwardRuns(expectedBackward)) {
            return node.layer.forward(in, node.training(training));
        }
        Epilogue after = c.bn.layer.appendToEpilogue(Epilogue.NONE, null);
        if (c.add != null) {
            after = c.add.layer.appendToEpilogue(after, c.residual.value);
        }
        if (c.activation != null) {
            after = c.activation.layer.appendToEpilogue(after, null);
        }
        Tensor y = node.layer.forwardWithEpilogue(in[0], after);
        for (Node link : new Node[] {c.bn, c.add, c.activation}) {
            if (link != null) {
                link.value = y;
                computedByChain[link.index] = true;
            }
        }
        fusedLastPass.add(c);
        return y;
    }

    /** The chains found, one per line ("conv -> bn -> add -> activation" by layer name), for tests and debugging. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Chain c : startingAt) {
            if (c != null) {
                for (Node link : new Node[] {c.conv, c.bn, c.add, c.activation}) {
                    if (link != null) {
                        s.append(link == c.conv ? "" : " -> ").append(link.layer.name());
                    }
                }
                s.append('\n');
            }
        }
        return s.toString();
    }

    /**
     * Before a backward pass: re-runs, layer by layer, every chain fused in the last forward pass through which
     * backward will run ({@code runs[node index]}), so that each layer holds its own forward state again.
     */
    void unfuse(boolean[] runs) {
        for (Chain c : fusedLastPass) {
            if (!c.backwardRuns(runs)) {
                continue;
            }
            c.conv.value = c.conv.layer.forward(new Tensor[] {c.conv.inputs[0].value}, c.conv.training(lastPassTraining));
            c.bn.value = c.bn.layer.forward(new Tensor[] {c.conv.value}, c.bn.training(lastPassTraining));
            if (c.add != null) {
                c.add.value = c.add.layer.forward(
                        new Tensor[] {c.add.inputs[0].value, c.add.inputs[1].value}, c.add.training(lastPassTraining));
            }
            if (c.activation != null) {
                Node before = c.add != null ? c.add : c.bn;
                c.activation.value = c.activation.layer.forward(new Tensor[] {before.value},
                        c.activation.training(lastPassTraining));
            }
        }
        fusedLastPass.clear();
    }
}
