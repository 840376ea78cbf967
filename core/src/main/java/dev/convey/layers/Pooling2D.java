package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Scratch;

/**
 * What Keras' windowed 2-D poolings share: a {@code poolSize} window moved by {@code strides} (default: the
 * pool size, so windows tile the image) with 'valid' or 'same' {@link Padding}, channel by channel over NHWC
 * images. Subclasses give the reduction over one window (max, average) and its gradient.
 *
 * <p>Padding pixels never take part: a 'same' max ignores them (as if they were -infinity) and a 'same'
 * average divides by the number of real pixels in the window, as TensorFlow does. A folded ZeroPadding2D's
 * border ({@link InputPaddingFold}, inference only) is different: its pixels are real pixels of value 0, as in
 * the padded copy the pooling would otherwise read.
 */
public abstract class Pooling2D extends Layer implements InputPaddingFold {

    private static final int[] NO_DILATION = {1, 1};
    /** Split over the cores once a chunk has this many output floats. */
    static final int MIN_FLOATS_PER_CHUNK = 1 << 14;

    private final int[] poolSize;
    private int[] strides;
    private Padding padding = Padding.VALID;

    private Tensor input;
    private Tensor output;
    private Tensor inputGradient;
    private Window2D geometry;
    /** A folded zero border {top, bottom, left, right} its inputs arrive without, or null. */
    private int[] border;

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

    /** Keras' {@code get_config()}: pool_size, padding, strides, data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("pool_size", list(poolSize()));
        c.put("padding", padding().kerasName());
        c.put("strides", list(strides()));
        c.put("data_format", "channels_last");
        return c;
    }

    @Override
    public void foldInputPadding(int[][] border) {
        this.border = InputPaddingFold.flat(border);
    }

    @Override
    protected int[][] shapesAsRead(int[][] fed) {
        return InputPaddingFold.shapesAsRead(fed, border);
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] hw = Window2D.outputHeightWidth(this, inputShapes, poolSize, strides(), NO_DILATION, padding);
        return new int[] {hw[0], hw[1], inputShapes[0][2]};
    }

    @Override
    protected final Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        Window2D g = Window2D.of(x.shape(), poolSize, strides(), NO_DILATION, padding, border);
        ZeroBorder zeros = ZeroBorder.of(border);
        geometry = border == null ? g : null;
        output = Tensor.reuse(output, g.batch(), g.outH(), g.outW(), g.channels());
        Tensor y = output;
        input = x;
        int inputRowFloats = g.width() * g.channels();
        int outputRowFloats = g.outW() * g.channels();
        // One output row at a time: its window's input rows are copied into a tile, reduced into an output tile
        // and copied back (see Scratch: array loops vectorise, buffer loops do not).
        Parallel.range(g.batch() * g.outH(), Math.max(1, MIN_FLOATS_PER_CHUNK / outputRowFloats), (r0, r1) -> {
            float[] rows = Scratch.floats(0, g.kernelH() * inputRowFloats);
            float[] out = Scratch.floats(1, outputRowFloats);
            for (int r = r0; r < r1; r++) {
                int n = r / g.outH();
                int oh = r % g.outH();
                int h0 = firstRow(g, oh);
                int rowCount = Math.max(0, endRow(g, oh) - h0);
                x.data().get(g.inputOffset(n, h0, 0), rows, 0, rowCount * inputRowFloats);
                poolRow(g, zeros, rows, rowCount, zeros.pixelRows(g, oh), out);
                y.data().put(outputOffset(g, n, oh, 0), out, 0, outputRowFloats);
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
        if (geometry == null) {
            throw new IllegalStateException(describe() + ": backward after a forward pass with a folded zero border;"
                    + " a backward pass needs a plain forward pass");
        }
        Window2D g = geometry;
        inputGradient = Tensor.reuse(inputGradient, g.batch(), g.height(), g.width(), g.channels());
        inputGradient.fill(0f);
        Tensor dx = inputGradient;
        int inputRowFloats = g.width() * g.channels();
        int outputRowFloats = g.outW() * g.channels();
        // Overlapping windows add into the same input pixels, but never across images: a thread takes whole
        // images and goes through their output rows in order, reading and writing back the window's dx rows.
        Parallel.range(g.batch(), 1, (n0, n1) -> {
            float[] xRows = Scratch.floats(0, g.kernelH() * inputRowFloats);
            float[] dxRows = Scratch.floats(1, g.kernelH() * inputRowFloats);
            float[] yRow = Scratch.floats(2, outputRowFloats);
            float[] dyRow = Scratch.floats(3, outputRowFloats);
            for (int n = n0; n < n1; n++) {
                for (int oh = 0; oh < g.outH(); oh++) {
                    int h0 = firstRow(g, oh);
                    int rowCount = endRow(g, oh) - h0;
                    int at = g.inputOffset(n, h0, 0);
                    input.data().get(at, xRows, 0, rowCount * inputRowFloats);
                    dx.data().get(at, dxRows, 0, rowCount * inputRowFloats);
                    output.data().get(outputOffset(g, n, oh, 0), yRow, 0, outputRowFloats);
                    outputGradient.data().get(outputOffset(g, n, oh, 0), dyRow, 0, outputRowFloats);
                    for (int ow = 0; ow < g.outW(); ow++) {
                        unpoolWindow(g, xRows, rowCount, ow, yRow, dyRow, ow * g.channels(), dxRows);
                    }
                    dx.data().put(at, dxRows, 0, rowCount * inputRowFloats);
                }
            }
        });
        return new Tensor[] {dx};
    }

    /**
     * out[0, outW * C) = one output row: for each output column ow, the reduction, channel by channel, of its
     * window over {@code rows}, the window's real input rows ({@code rowCount} of them, each a full image row
     * of width * C floats). {@code pixelRows} &gt;= rowCount counts the window's rows in the input or in the
     * folded zero border {@code zeros}; the pixels of the border are 0.
     */
    abstract void poolRow(Window2D g, ZeroBorder zeros, float[] rows, int rowCount, int pixelRows, float[] out);

    /**
     * Adds the share of dL/dy[o, o + C) of the window of output column {@code ow} into {@code dxRows}, laid out
     * as {@code xRows}, the window's input rows (see poolRow); y[o, o + C) is the forward pass's output.
     */
    abstract void unpoolWindow(Window2D g, float[] xRows, int rowCount, int ow, float[] y, float[] dy, int o,
                               float[] dxRows);

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

    /**
     * A folded zero border {top, bottom, left, right} around the input: its pixels are real and read 0, while
     * 'same' padding beyond it takes no part. {@link #NONE} for an input read as it is.
     */
    record ZeroBorder(int top, int bottom, int left, int right) {

        static final ZeroBorder NONE = new ZeroBorder(0, 0, 0, 0);

        static ZeroBorder of(int[] border) {
            return border == null ? NONE : new ZeroBorder(border[0], border[1], border[2], border[3]);
        }

        /** The rows of output row oh's window that are pixels, of the input or of the border. */
        int pixelRows(Window2D g, int oh) {
            int first = g.inputRow(oh, 0);
            return Math.min(g.height() + bottom, first + g.kernelH()) - Math.max(-top, first);
        }

        /** The columns of output column ow's window that are pixels, of the input or of the border. */
        int pixelCols(Window2D g, int ow) {
            int first = g.inputCol(ow, 0);
            return Math.min(g.width() + right, first + g.kernelW()) - Math.max(-left, first);
        }

        /** True if input column iw (outside the input) lies in the border: a pixel of value 0. */
        boolean isZeroColumn(Window2D g, int iw) {
            return (iw < 0 && iw >= -left) || (iw >= g.width() && iw < g.width() + right);
        }
    }

    /** The float offset of output pixel (n, oh, ow). */
    static int outputOffset(Window2D g, int n, int oh, int ow) {
        return ((n * g.outH() + oh) * g.outW() + ow) * g.channels();
    }
}
