package dev.convey.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.convey.layers.Layer;
import dev.convey.tensor.Shapes;

/**
 * The graph of a functional model, mapped from its output back to its inputs exactly as Keras'
 * {@code _map_graph_network} (keras/engine/network.py in Keras 2, keras/engine/functional.py in tf.keras) does,
 * because {@code model.layers} must come out in Keras' order: weight files written "by order" rely on it.
 *
 * <ol>
 *   <li>Depth-first search from the output, visiting a node's inputs in argument order. A layer's traversal
 *       index is the order in which the search first reaches it (the output layer is 0). A node is appended to
 *       {@link #nodes} when all its inputs are done (post-order), which is an execution order: every node comes
 *       after the nodes it reads.
 *   <li>Depth: the output node has depth 0; walking the nodes from the output backwards, each input node gets
 *       depth max(its depth so far, consumer's depth + 1), so a node's depth is its longest distance to the
 *       output.
 *   <li>{@link #layers}: by decreasing depth (inputs first); layers of equal depth by traversal index.
 * </ol>
 * In a ResNet block {@code Add([shortcut, x])} the search enters the shortcut branch first, so at equal depth
 * {@code conv2_block1_0_conv} (shortcut) precedes {@code conv2_block1_3_conv}, and {@code _0_bn} precedes
 * {@code _3_bn}: Keras' order.
 */
final class Graph {

    /** Execution order. */
    final List<Node> nodes;
    /** Keras' {@code model.layers} order. */
    final List<Layer> layers;
    /** One per model input, in the model's input order. */
    final List<Node> inputNodes;
    final Node outputNode;
    /** Longest distance to the output, per node index. */
    final int[] depth;
    final Map<String, Node> nodeByLayerName;

    private Graph(List<Node> nodes, List<Layer> layers, List<Node> inputNodes, Node outputNode, int[] depth) {
        this.nodes = Collections.unmodifiableList(nodes);
        this.layers = Collections.unmodifiableList(layers);
        this.inputNodes = Collections.unmodifiableList(inputNodes);
        this.outputNode = outputNode;
        this.depth = depth;
        Map<String, Node> byName = new LinkedHashMap<>();
        for (Node n : nodes) {
            byName.put(n.layer.name(), n);
        }
        this.nodeByLayerName = Collections.unmodifiableMap(byName);
    }

    /** Maps the graph from {@code output} back to {@code inputs}; {@code owner} names the model in errors. */
    static Graph map(List<SymbolicTensor> inputs, SymbolicTensor output, String owner) {
        Map<SymbolicTensor, Node> nodeOf = new IdentityHashMap<>();
        Map<Layer, Integer> traversalIndex = new IdentityHashMap<>();
        List<Node> postOrder = new ArrayList<>();
        visit(output, nodeOf, traversalIndex, postOrder);

        List<Node> inputNodes = inputNodes(inputs, nodeOf, postOrder, owner);
        checkLayersUsedOnce(postOrder, owner);

        // Depths, from the output back to the inputs (Keras walks reversed(nodes_in_decreasing_depth)).
        int[] depth = new int[postOrder.size()];
        Map<Layer, Integer> layerDepth = new IdentityHashMap<>();
        for (int i = postOrder.size() - 1; i >= 0; i--) {
            Node node = postOrder.get(i);
            int d = Math.max(depth[i], layerDepth.getOrDefault(node.layer, 0));
            depth[i] = d;
            layerDepth.put(node.layer, d);
            for (Node in : node.inputs) {
                depth[in.index] = Math.max(depth[in.index], d + 1);
            }
        }
        List<Layer> layers = new ArrayList<>(layerDepth.keySet());
        layers.sort(Comparator.<Layer>comparingInt(l -> -layerDepth.get(l)).thenComparingInt(traversalIndex::get));
        checkUniqueNames(layers, owner);
        return new Graph(postOrder, layers, inputNodes, nodeOf.get(output), depth);
    }

    /** Keras' build_map: record the traversal index on the way down, append the node on the way back up. */
    private static Node visit(SymbolicTensor t, Map<SymbolicTensor, Node> nodeOf, Map<Layer, Integer> traversalIndex,
            List<Node> postOrder) {
        Node done = nodeOf.get(t);
        if (done != null) {
            return done;
        }
        traversalIndex.putIfAbsent(t.layer(), traversalIndex.size());
        List<SymbolicTensor> ins = t.inputs();
        Node[] inputNodes = new Node[ins.size()];
        for (int i = 0; i < inputNodes.length; i++) {
            inputNodes[i] = visit(ins.get(i), nodeOf, traversalIndex, postOrder);
            inputNodes[i].consumerSlots++;
        }
        Node node = new Node(t, inputNodes, postOrder.size());
        nodeOf.put(t, node);
        postOrder.add(node);
        return node;
    }

    /** The model's inputs must be InputLayer tensors, each used; every InputLayer reached must be an input. */
    private static List<Node> inputNodes(List<SymbolicTensor> inputs, Map<SymbolicTensor, Node> nodeOf,
            List<Node> postOrder, String owner) {
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            SymbolicTensor t = inputs.get(i);
            if (!t.layer().isInput()) {
                throw new IllegalArgumentException(owner + ": input " + i + " must be a model input made by Input.of(...), "
                        + "but it is the output of " + t.layer().describe());
            }
            Node node = nodeOf.get(t);
            if (node == null) {
                throw new IllegalArgumentException(owner + ": input " + i + " ('" + t.layer().name() + "', shape "
                        + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, t.shape())) + ") is not used to compute the output");
            }
            if (node.modelInput >= 0) {
                throw new IllegalArgumentException(owner + ": input '" + t.layer().name() + "' is listed twice");
            }
            node.modelInput = i;
            out.add(node);
        }
        for (Node n : postOrder) {
            if (n.layer.isInput() && n.modelInput < 0) {
                throw new IllegalArgumentException(owner + ": graph disconnected: the output depends on input '"
                        + n.layer.name() + "' " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, n.tensor.shape()))
                        + ", which is not among the model's inputs " + names(inputs));
            }
        }
        return out;
    }

    /**
     * A layer keeps one set of buffers and remembers one forward pass for its backward pass, so a layer applied
     * at two places in one model (Keras' shared layers) is not supported: say so instead of computing garbage.
     */
    private static void checkLayersUsedOnce(List<Node> nodes, String owner) {
        Map<Layer, Node> seen = new IdentityHashMap<>();
        for (Node n : nodes) {
            if (seen.put(n.layer, n) != null) {
                throw new IllegalArgumentException(owner + ": " + n.layer.describe() + " is applied more than once; "
                        + "shared layers are not supported (create one layer per use)");
            }
        }
    }

    /**
     * Per node index: the one node reading that node's value, or null when it has several readers (or one
     * reading it twice), none, or is the model's output (the caller reads it too). The planners fuse a value
     * into its sole consumer only.
     */
    Node[] soleConsumers() {
        Node[] sole = new Node[nodes.size()];
        for (Node node : nodes) {
            for (Node in : node.inputs) {
                sole[in.index] = in.consumerSlots == 1 && in != outputNode ? node : null;
            }
        }
        return sole;
    }

    private static void checkUniqueNames(List<Layer> layers, String owner) {
        Map<String, Layer> byName = new LinkedHashMap<>();
        for (Layer l : layers) {
            Layer other = byName.put(l.name(), l);
            if (other != null) {
                throw new IllegalArgumentException(owner + ": the layer name '" + l.name() + "' is used by two layers ("
                        + other.className() + " and " + l.className() + "); all layer names in a model must be unique");
            }
        }
    }

    private static String names(List<SymbolicTensor> tensors) {
        List<String> out = new ArrayList<>();
        for (SymbolicTensor t : tensors) {
            out.add(t.layer().name());
        }
        return out.toString();
    }
}
