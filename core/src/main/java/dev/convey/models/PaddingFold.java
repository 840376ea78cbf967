package dev.convey.models;

import dev.convey.layers.InputPaddingFold;

/**
 * The inference planner that folds a ZeroPadding2D into the layer reading it (MobileNetV2's and EfficientNet's
 * pad before every stride-2 depthwise conv and the stem, ResNet50's conv1_pad and pool1_pad, DenseNet's pool
 * pads): the padding node passes its input on unchanged and the reader, an {@link InputPaddingFold}, runs with
 * the border as part of its window geometry, taps in it reading 0. For a convolution the outputs are exactly
 * those of the unfolded pair (a zero tap adds 0 * w = 0), for a max or average pooling too (a border tap is a
 * pixel of value 0); the copy of a whole feature map into a bordered one disappears.
 *
 * <p>A pair folds when the padding's only reader is that layer and the padded tensor is not the model's output.
 * Only passes that release their values (inference, not nested in training) fold: a backward pass needs the
 * layers' plain forward state, and {@link GraphExecutor#backward} re-runs such a pass without releasing.
 * System property {@code convey.foldPadding} (default true), read at each pass: false runs the pairs unfolded.
 */
final class PaddingFold {

    /** The folded pairs, "padding -> reader" by layer name, one per line. */
    private final String pairs;
    /** Per node index: the border ((top, bottom), (left, right)) folded into this reader, or null. */
    private final int[][][] borderFor;
    /** Per node index: a padding whose reader folds it (passes its input on). */
    private final boolean[] passesOn;
    private boolean active;

    private PaddingFold(String pairs, int[][][] borderFor, boolean[] passesOn) {
        this.pairs = pairs;
        this.borderFor = borderFor;
        this.passesOn = passesOn;
    }

    /** Finds the foldable pairs of a graph. */
    static PaddingFold of(Graph g) {
        int n = g.nodes.size();
        int[][][] borderFor = new int[n][][];
        boolean[] passesOn = new boolean[n];
        StringBuilder pairs = new StringBuilder();
        for (Node node : g.nodes) {
            if (node.inputs.length == 1 && node.layer instanceof InputPaddingFold
                    && node.inputs[0].layer instanceof InputPaddingFold.ZeroBorder pad
                    && node.inputs[0].consumerSlots == 1 && node.inputs[0] != g.outputNode) {
                borderFor[node.index] = pad.padding();
                pairs.append(node.inputs[0].layer.name()).append(" -> ").append(node.layer.name()).append('\n');
                passesOn[node.inputs[0].index] = true;
            }
        }
        return new PaddingFold(pairs.toString(), borderFor, passesOn);
    }

    /** Starts a pass: folds if it releases its values and {@code convey.foldPadding} is not "false". */
    void beginPass(boolean releases) {
        active = releases && !"false".equals(System.getProperty("convey.foldPadding"));
    }

    /** True if the node is a folded padding: its value is its input's. */
    boolean passesOn(Node node) {
        return active && passesOn[node.index];
    }

    /** Before running a node: tells a reader of a folded padding that its input arrives without the border. */
    void beforeRunning(Node node) {
        if (active && borderFor[node.index] != null) {
            ((InputPaddingFold) node.layer).foldInputPadding(borderFor[node.index]);
        }
    }

    /** After running it: the reader reads its inputs as built again. */
    void afterRunning(Node node) {
        if (active && borderFor[node.index] != null) {
            ((InputPaddingFold) node.layer).foldInputPadding(null);
        }
    }

    /** The foldable pairs, "padding -> reader" by layer name, one per line (for tests and debugging). */
    @Override
    public String toString() {
        return pairs;
    }
}
