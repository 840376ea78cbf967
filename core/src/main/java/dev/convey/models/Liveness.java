package dev.convey.models;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.convey.tensor.BufferPool;
import dev.convey.tensor.Tensor;

/**
 * Buffer reuse by liveness in an inference pass: a node's value is dead once the last node reading it (in
 * execution order) has run, and then its memory goes to the pass' {@link BufferPool}, where the next layers take
 * their outputs from. An inference pass thus holds the values still to be read, not every layer's output.
 *
 * <p>Memory is counted by {@link Tensor#root()}, not by node, because values share memory: a layer may return its
 * input or a view of it (InputLayer, Identity, Flatten, Reshape, Dropout in inference), and the links of a fused
 * chain ({@link InferenceFusion}: conv, bn, add, activation) all hold the chain's one output. The memory is released
 * when the last node holding it is dead. The model's inputs and output never die during the pass (they are the
 * caller's), nor does anything sharing their memory. Only transient buffers (made by {@link Tensor#reuse}) are
 * released; weights and tensors made by {@code Tensor.zeros} or {@code Tensor.of} never are.
 *
 * <p>A released pass leaves the layers without the outputs their backward passes read: {@link GraphExecutor#backward}
 * re-runs the forward pass without releasing first.
 */
final class Liveness {

    /** Per node index (= execution position k): the nodes whose last reader is the node at k. */
    private final List<List<Node>> dyingAfter = new ArrayList<>();
    /** Per root of a value computed in this pass: how many nodes not yet dead hold it. */
    private final Map<Tensor, Integer> holders = new IdentityHashMap<>();

    Liveness(Graph g) {
        int[] lastReader = new int[g.nodes.size()];
        for (Node node : g.nodes) {
            dyingAfter.add(new ArrayList<>());
            lastReader[node.index] = node.index;   // read by nobody: dead as soon as it is computed
            for (Node in : node.inputs) {
                lastReader[in.index] = node.index;   // nodes come in execution order: the last assignment wins
            }
        }
        for (Node node : g.nodes) {
            if (node.modelInput < 0 && node != g.outputNode) {
                dyingAfter.get(lastReader[node.index]).add(node);
            }
        }
    }

    /** Forgets the last pass' values. */
    void beginPass() {
        holders.clear();
    }

    /**
     * After {@code node} ran (its value is set, by itself or by the fused chain it belongs to): counts its value,
     * then releases into {@code pool} the memory that the nodes it read last now leave unheld.
     */
    void afterRunning(Node node, BufferPool pool) {
        holders.merge(node.value.root(), 1, Integer::sum);
        for (Node dead : dyingAfter.get(node.index)) {
            Tensor root = dead.value.root();
            int left = holders.get(root) - 1;
            if (left > 0) {
                holders.put(root, left);
            } else {
                holders.remove(root);
                pool.release(root);
            }
        }
    }
}
