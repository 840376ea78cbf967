package dev.convey.models;

/**
 * Which nodes of a graph run backward, and which input gradients each computes, for given compile-time flags
 * and requests. Backward only does work that training needs: a node runs backward iff its layer has weights
 * that were trainable at compile time ({@code Layer.isTrainableWhenCompiled()}) or some node upstream of it
 * (closer to the input) does; it asks for the gradient of an input only if that input's node runs backward. A
 * frozen base under a trainable head therefore costs nothing in backward. {@link GraphExecutor} computes the
 * plan once and reuses it until the flags change.
 */
/** Which nodes run backward and which input gradients each computes, for given flags and requests. */
final class BackwardPlan {
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
