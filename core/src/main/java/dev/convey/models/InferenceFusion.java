package dev.convey.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.convey.layers.Epilogue;
import dev.convey.layers.IdentityOutsideTraining;
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
 * <p>Between the batch norm and the Add may stand layers that are the identity outside training
 * ({@link IdentityOutsideTraining}: EfficientNet's {@code project_bn -> drop -> add}, its stochastic depth): they
 * join the chain and hold its output. In a pass where one of them is active (training) the chain stops at the
 * batch norm, as it does with system property {@code convey.fuseIdentities=false} (read at each pass).
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
    private record Chain(Node conv, Node bn, Node[] through, Node add, Node residual, Node activation) {

        Node last() {
            return activation != null ? activation : add != null ? add : through.length > 0 ? through[through.length - 1] : bn;
        }

        /**
         * The chain as a pass of mode {@code training} may fuse it: null if the batch norm is not in inference mode,
         * conv -> bn alone if a pass-through link is active (a Dropout in training is not the identity), else all.
         */
        Chain inPass(boolean training, boolean throughIdentities) {
            if (bn.training(training) && bn.layer.isTrainableWhenCompiled()) {
                return null;
            }
            for (Node link : through) {
                if (link.training(training) || !throughIdentities) {
                    return new Chain(conv, bn, new Node[0], null, null, null);
                }
            }
            return this;
        }

        boolean backwardRuns(boolean[] runs) {
            if (runs == null) {
                return false;
            }
            for (Node link : links()) {
                if (runs[link.index]) {
                    return true;
                }
            }
            return false;
        }

        /** conv, bn, the pass-through links, add, activation: those present, in order. */
        List<Node> links() {
            List<Node> links = new ArrayList<>(List.of(conv, bn));
            links.addAll(Arrays.asList(through));
            for (Node link : new Node[] {add, activation}) {
                if (link != null) {
                    links.add(link);
                }
            }
            return links;
        }
    }

    /** The chain starting at each conv node index, or null. */
    private final Chain[] startingAt;
    /** Per node index: its value was computed by a fused chain in the current pass. */
    private final boolean[] computedByChain;
    private final List<Chain> fusedLastPass = new ArrayList<>();
    private boolean lastPassTraining;
    private boolean throughIdentities;
    private boolean[] expectedBackward;

    private InferenceFusion(Chain[] startingAt) {
        this.startingAt = startingAt;
        this.computedByChain = new boolean[startingAt.length];
    }

    /** Finds the fusable chains of a graph. */
    static InferenceFusion of(Graph g) {
        int n = g.nodes.size();
        Node[] soleConsumer = g.soleConsumers();
        int[] position = new int[n];   // in the execution order
        for (int i = 0; i < n; i++) {
            position[g.nodes.get(i).index] = i;
        }
        Chain[] chains = new Chain[n];
        for (Node node : g.nodes) {
            Node bn = soleConsumer[node.index];
            if (node.layer.canTakeEpilogue() && bn != null && step(bn) == Epilogue.Step.SCALE_SHIFT) {
                Node before = bn;
                List<Node> through = new ArrayList<>();
                while (soleConsumer[before.index] != null && soleConsumer[before.index].layer instanceof IdentityOutsideTraining) {
                    before = soleConsumer[before.index];
                    through.add(before);
                }
                Node next = soleConsumer[before.index];
                Node add = null;
                Node residual = null;
                if (next != null && step(next) == Epilogue.Step.RESIDUAL && next.inputs.length == 2) {
                    Node other = next.inputs[0] == before ? next.inputs[1] : next.inputs[0];
                    if (position[other.index] < position[node.index]) {
                        add = next;
                        residual = other;
                        next = soleConsumer[add.index];
                    }
                }
                Node act = next != null && step(next) == Epilogue.Step.ACTIVATION ? next : null;
                chains[node.index] = new Chain(node, bn, through.toArray(new Node[0]), add, residual, act);
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
        throughIdentities = !"false".equals(System.getProperty("convey.fuseIdentities"));
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
        Chain c = startingAt[node.index] == null ? null : startingAt[node.index].inPass(training, throughIdentities);
        if (c == null || c.backwardRuns(expectedBackward)) {
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
        for (Node link : c.links().subList(1, c.links().size())) {
            link.value = y;
            computedByChain[link.index] = true;
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
                for (Node link : c.links()) {
                    s.append(link == c.conv ? "" : " -> ").append(link.layer.name());
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
            for (Node link : c.links()) {   // each link re-run on its inputs' values, in order
                Tensor[] inputs = new Tensor[link.inputs.length];
                for (int i = 0; i < inputs.length; i++) {
                    inputs[i] = link.inputs[i].value;
                }
                link.value = link.layer.forward(inputs, link.training(lastPassTraining));
            }
        }
        fusedLastPass.clear();
    }
}
