package dev.convey.models;

import dev.convey.layers.InputScaleFold;

/**
 * The inference planner that folds a squeeze-and-excitation block's excite step, {@code Multiply([x, s])} with s
 * of shape (1, 1, C) per image, into the convolution reading its output (EfficientNet's projection conv): the
 * multiply node passes x on unchanged, and the reader, an {@link InputScaleFold}, scales its kernel per image
 * instead (conv(x_n * s_n, W) = conv(x_n, s_n[c] W)). The pass over the whole feature map that wrote x * s
 * disappears; the outputs equal the unfolded pair's to float rounding (s W rounds where x s did).
 *
 * <p>A pair folds when the multiply's only reader is that layer, the product is not the model's output, and the
 * reader says the fold pays ({@link InputScaleFold#foldsInputScale}: a large map, a small kernel). s is copied
 * when the multiply's turn comes, so that its buffer may be released before the reader runs. As for
 * {@link PaddingFold}, only passes that release their values fold. System property {@code convey.foldExcite}
 * (default true), read at each pass: false runs the pairs unfolded.
 */
final class ExciteFold {

    /** The folded pairs, "multiply -> reader" by layer name, one per line. */
    private final String pairs;
    /** Per node index: the reader of a multiply that folds (for the multiply), or null. */
    private final Node[] readerOf;
    /** Per node index: the scale copied for this reader in the current pass, or null. */
    private final float[][] scaleFor;
    private boolean active;

    private ExciteFold(String pairs, Node[] readerOf) {
        this.pairs = pairs;
        this.readerOf = readerOf;
        this.scaleFor = new float[readerOf.length][];
    }

    /** Finds the foldable pairs of a graph. */
    static ExciteFold of(Graph g) {
        Node[] readerOf = new Node[g.nodes.size()];
        StringBuilder pairs = new StringBuilder();
        for (Node node : g.nodes) {
            if (node.inputs.length == 1 && node.layer instanceof InputScaleFold reader && reader.foldsInputScale()
                    && node.inputs[0].layer instanceof InputScaleFold.ChannelScale scale && scale.scalesChannels()
                    && node.inputs[0].consumerSlots == 1 && node.inputs[0] != g.outputNode) {
                readerOf[node.inputs[0].index] = node;
                pairs.append(node.inputs[0].layer.name()).append(" -> ").append(node.layer.name()).append('\n');
            }
        }
        return new ExciteFold(pairs.toString(), readerOf);
    }

    /** Starts a pass: folds if it releases its values and {@code convey.foldExcite} is not "false". */
    void beginPass(boolean releases) {
        active = releases && !"false".equals(System.getProperty("convey.foldExcite"));
    }

    /** True if the node is a folded multiply: its value is its input 0's. */
    boolean passesOn(Node node) {
        return active && readerOf[node.index] != null;
    }

    /** A folded multiply's turn: copies its scale s (input 1, N x 1 x 1 x C) for its reader. */
    void passOn(Node multiply) {
        scaleFor[readerOf[multiply.index].index] = multiply.inputs[1].value.toArray();
    }

    /** Before running a node: tells the reader of a folded multiply the scale its input arrives without. */
    void beforeRunning(Node node) {
        if (active && scaleFor[node.index] != null) {
            ((InputScaleFold) node.layer).foldInputScale(scaleFor[node.index]);
        }
    }

    /** After running it: the reader reads its input as built again. */
    void afterRunning(Node node) {
        if (scaleFor[node.index] != null) {
            ((InputScaleFold) node.layer).foldInputScale(null);
            scaleFor[node.index] = null;
        }
    }

    /** The foldable pairs, "multiply -> reader" by layer name, one per line (for tests and debugging). */
    @Override
    public String toString() {
        return pairs;
    }
}
