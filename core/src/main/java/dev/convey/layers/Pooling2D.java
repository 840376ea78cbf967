package dev.convey.layers;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * What Keras' windowed 2-D poolings share: a {@code poolSize} window moved by {@code strides} (default: the
 * pool size, so windows tile the image) with 'valid' or 'same' {@link Padding}, channel by channel over NHWC
 * images. Subclasses give the reduction over one window (max, average) and its gradient.
 *
 * <p>Padding pixels never take part: a 'same' max ignores them (as if they were -infinity) and a 'same'
 * average divides by the number of real pixels in the window, as TensorFlow does.
 */
public abstract class Pooling2D extends Layer {

    private static final int[] NO_DILATION = {1, 1};
    /** Split over the cores once a chunk has this many output floats. */
    static final int MIN_FLOATS_PER_CHUNK = 1 << 14;

    private final int[] poolSize;
    private int[] strides;
    private Padding padding = Padding.VALID;

    private Tensor output;
    private Tensor inputGradient;
    private Window2D geometry;

    protected Pooling2D(String defaultNamePrefix, int[] poolSize) {
        super(defaultNamePrefix);
        this.poolSize = LayerArgs.pair(this, "pool_size", poolSize);
    }

    /** Keras' {@code strides}: one int or (height, width); by default the pool size. */
    public Pooling2D strides(int... strides) {
        LayerArgs.requireUnbuilt(this, "strides");
        this.strides = LayerArgs.pair(this, "strides", strides);
        return this;
    }

    /** Keras' {@code padding}: "valid" (default) or "same". */
    public Pooling2D padding(String padding) {
        LayerArgs.requireUnbuilt(this, "padding");
        this.padding = Padding.forName(padding, describe());
        return this;
    }

    public int[] poolSize() {
        return poolSize.clone();
    }

    /** The strides in effect (the pool size unless set). */
    public int[] strides() {
        return strides == null ? poolSize.clone() : strides.clone();
    }

    public Padding padding() {
        return padding;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] hw = Window2D.outputHeightWidth(this, inputShapes, poolSize, strides(), NO_DILATION, padding);
        return new int[] {hw[0], hw[1], inputShapes[0][2]};
    }

    @Override
    protected final Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        Window2D g = Window2D.of(x.shape(), poolSize, strides(), NO_DILATION, padding);
        geometry = g;
        output = Tensor.reuse(output, g.batch(), g.outH(), g.outW(), g.channels());
        Tensor y = output;
        int rowFloats = g.outW() * g.channels();
        beforeForward(g);
        Parallel.range(g.batch() * g.outH(), Math.max(1, MIN_FLOATS_PER_CHUNK / rowFloats), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    poolWindow(g, x, r / g.outH(), r % g.outH(), ow, y);
                }
            }
        });
        return y;
    }

    @Override
    protected final Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        Window2D g = geometry;
        inputGradient = Tensor.reuse(inputGradient, g.batch(), g.height(), g.width(), g.channels());
        inputGradient.fill(0f);
        Tensor dx = inputGradient;
        // Overlapping windows add into the same input pixels, but never across images.
        Parallel.range(g.batch(), 1, (n0, n1) -> {
            for (int n = n0; n < n1; n++) {
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        unpoolWindow(g, outputGradient, n, oh, ow, dx);
                    }
                }
            }
        });
        return new Tensor[] {dx};
    }

    /** Called once per forward pass before the windows, e.g. to size per-output bookkeeping. */
    void beforeForward(Window2D g) {
    }

    /** y[n, oh, ow, :] = the reduction of the window's real pixels, for every channel. */
    abstract void poolWindow(Window2D g, Tensor x, int n, int oh, int ow, Tensor y);

    /** Adds the window's share of dL/dy[n, oh, ow, :] into dx. */
    abstract void unpoolWindow(Window2D g, Tensor dy, int n, int oh, int ow, Tensor dx);

    /** The real (unpadded) input rows of output row oh: [first, end). */
    static int firstRow(Window2D g, int oh) {
        return Math.max(0, g.inputRow(oh, 0));
    }

    static int endRow(Window2D g, int oh) {
        return Math.min(g.height(), g.inputRow(oh, 0) + g.kernelH());
    }

    /** The real input columns of output column ow: [first, end). */
    static int firstCol(Window2D g, int ow) {
        return Math.max(0, g.inputCol(ow, 0));
    }

    static int endCol(Window2D g, int ow) {
        return Math.min(g.width(), g.inputCol(ow, 0) + g.kernelW());
    }

    /** The float offset of output pixel (n, oh, ow). */
    static int outputOffset(Window2D g, int n, int oh, int ow) {
        return ((n * g.outH() + oh) * g.outW() + ow) * g.channels();
    }
}
