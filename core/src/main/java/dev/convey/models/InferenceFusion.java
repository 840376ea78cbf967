package dev.convey.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.convey.layers.Activation;
import dev.convey.layers.ActivationFunction;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.tensor.Tensor;

/**
 * Conv2D -> BatchNormalization [-> Activation] chains of a model's graph, run as one fused convolution when
 * the batch norm is in inference mode (ResNet's {@code conv -> bn -> relu}, 53 times in ResNet50).
 *
 * <p>An inference-mode batch norm is a per-channel affine map y = x * s + t, so the convolution applies it, and
 * the activation after it, to each GEMM block while the block is still in cache ({@link Conv2D#forwardFused}):
 * two passes over every feature map disappear and the numbers are the same. A chain qualifies when the
 * convolution is linear and each link is the only reader of the previous one's output (nothing else needs
 * the intermediate values). The batch norm is in inference mode when the pass is not training, or when it was
 * frozen at compile time (a frozen base under a trainable head: the whole base runs fused).
 *
 * <p>A fused pass leaves the three layers without what their backward passes need. If backward must run
 * through a chain (the plan says so), {@link #unfuse} first re-runs the chain's layers one by one on the same
 * input; their outputs equal the fused output the downstream layers already read.
 */
final class InferenceFusion {

    /** One fusable chain; {@code activation} is null when the batch norm's output goes elsewhere. */
    private record Chain(Node conv, Node bn, Node activation) {

        Node last() {
            return activation != null ? activation : bn;
        }

        boolean inferenceMode(boolean training) {
            return !training || !bn.layer.isTrainableWhenCompiled();
        }

        boolean backwardRuns(boolean[] runs) {
            return runs != null && (runs[conv.index] || runs[bn.index] || runs[last().index]);
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
        Chain[] chains = new Chain[n];
        for (Node node : g.nodes) {
            Node bn = soleConsumer[node.index];
            if (node.layer instanceof Conv2D && ((Conv2D) node.layer).activation() == ActivationFunction.LINEAR
                    && bn != null && bn.layer instanceof BatchNormalization) {
                Node act = soleConsumer[bn.index];
                chains[node.index] = new Chain(node, bn, act != null && act.layer instanceof Activation ? act : null);
            }
        }
        return new InferenceFusion(chains);
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

    /** Runs the node: the whole chain fused if one starts here and may be fused, else the layer alone. */
    Tensor forward(Node node, Tensor[] in, boolean training) {
        Chain c = startingAt[node.index];
        if (c == null || !c.inferenceMode(training) || c.backwardRuns(expectedBackward)) {
            return node.layer.forward(in, training);
        }
        ActivationFunction after = c.activation == null ? ActivationFunction.LINEAR
                : ((Activation) c.activation.layer).activation();
        Tensor y = ((Conv2D) node.layer).forwardFused(in[0], (BatchNormalization) c.bn.layer, after);
        for (Node link : new Node[] {c.bn, c.activation}) {
            if (link != null) {
                link.value = y;
                computedByChain[link.index] = true;
            }
        }
        fusedLastPass.add(c);
        return y;
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
            c.conv.value = c.conv.layer.forward(new Tensor[] {c.conv.inputs[0].value}, lastPassTraining);
            c.bn.value = c.bn.layer.forward(new Tensor[] {c.conv.value}, lastPassTraining);
            if (c.activation != null) {
                c.activation.value = c.activation.layer.forward(new Tensor[] {c.bn.value}, lastPassTraining);
            }
        }
        fusedLastPass.clear();
    }
}
