package dev.convey.layers;

import java.util.Map;

import java.nio.FloatBuffer;

import dev.convey.blas.Blas;
import dev.convey.tensor.Gemm;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Scratch;

/**
 * Keras' {@code Conv2D}: a 2-D convolution over NHWC images (channels_last), with an HWIO kernel
 * {@code (kh, kw, in, out)}, a bias {@code (out,)} and an optional fused activation:
 * <pre>
 *   y[n, oh, ow, f] = act( b[f] + sum_{i, j, c} x[n, oh*sh - padTop + i*dh, ow*sw - padLeft + j*dw, c] * W[i, j, c, f] )
 * </pre>
 * (as in every deep learning library this is a cross-correlation: the kernel is not flipped).
 *
 * <p>Computed as im2col + GEMM (see {@link Im2col}): with P the patch matrix (one row per output pixel, kh*kw*in
 * columns) and W the kernel viewed as a (kh*kw*in, out) matrix, {@code Y = P W} is the NHWC output. P is built
 * for a block of output rows at a time, in a workspace the layer keeps, so memory stays bounded for any batch.
 * A 1x1, stride-1 convolution needs no im2col at all: the input, viewed as (pixels, in), already is P.
 *
 * <p>Threading of the forward pass. With OpenBLAS' own threads, im2col and the bias/activation epilogue run
 * between GEMM calls while its workers spin, and each GEMM on a cache-sized block is too small to split well.
 * Instead each Java thread ({@link Parallel}) owns a contiguous share of the output rows and runs im2col, GEMM
 * and epilogue on its own blocks, in its own patch workspace, with OpenBLAS single-threaded
 * ({@link Blas#singleThreaded}). A small feature map (ResNet's 7x7 and 14x14 at batch 1) has too few rows to
 * share, and its kernel is larger than its patches: there the threads build each block's patches together and
 * then each multiplies it by its own slice of the kernel's columns (filters). Backward splits a batch's
 * images over the threads in the same way (single images split each product in {@link Gemm}).
 *
 * <p>Backward, with dZ = dL/d(pre-activation):
 * <pre>
 *   dL/dW = P^T dZ            (summed over the row blocks)
 *   dL/db = sum over rows of dZ
 *   dL/dx = col2im(dZ W^T)    (each patch entry's gradient flows back to the pixel it was copied from)
 * </pre>
 */
public final class Conv2D extends Layer {

    /**
     * Patch block sizing. A block of about 2^19 floats (2 MB) stays in cache between im2col writing it and the
     * GEMM packing it; but every GEMM call also re-packs the whole kernel, so a block has at least 512 rows
     * (a 3x3x512 patch block is then 9 MB, of the order of the 3x3x512x512 kernel). 2^21 floats (8 MB) is the
     * hard cap on the workspace. Measured on VGG16's layers (2-core AVX-512): 2 MB blocks beat 8 MB blocks by
     * 1.5-2x where the image is large and the patch short (224x224x64), and blocks under ~400 rows lose up to
     * 40% where the kernel is large (28x28x512).
     */
    private static final int TARGET_PATCH_FLOATS = 1 << 19;
    private static final int MIN_BLOCK_ROWS = 512;
    private static final int DEFAULT_MAX_PATCH_FLOATS = 1 << 21;
    /**
     * Threading (see the class comment): output rows are split over the threads when each gets at least this
     * many; smaller feature maps split the filters, at least this many per thread. Measured on ResNet50 and
     * VGG16 at batch 1: 256 rows beat 64 (small row shares re-pack the whole kernel per thread) and beat
     * splitting filters everywhere.
     */
    private static final int MIN_ROWS_PER_THREAD = 256;
    private static final int MIN_FILTERS_PER_THREAD = 16;
    /**
     * Winograd F(2x2, 3x3) sizing (see {@link Winograd}). Its 16 products are (tiles x in) by (in x out), so
     * each repacks a 16/9 share of the kernel: it wins where a product has many tiles and enough channels, and
     * loses to im2col on ResNet's 7x7 maps at batch 1 (16 tiles; 14x14 maps have 49 and win) and on the 3-channel RGB input. A block holds
     * about WINOGRAD_TARGET_FLOATS of transformed input and products, at least WINOGRAD_MIN_BLOCK_TILES tiles.
     */
    private static final int WINOGRAD_MIN_CHANNELS = 16;
    private static final int WINOGRAD_MIN_TILES = 32;
    private static final int WINOGRAD_TARGET_FLOATS = 1 << 19;
    private static final int WINOGRAD_MIN_BLOCK_TILES = 256;

    /** How the forward pass computes a convolution; AUTO picks Winograd where it is faster (tests force one). */
    enum Algorithm { AUTO, IM2COL, WINOGRAD }

    private final int filters;
    private final int[] kernelSize;
    private int[] strides = {1, 1};
    private Padding padding = Padding.VALID;
    private int[] dilationRate = {1, 1};
    private boolean useBias = true;
    private ActivationFunction activation = ActivationFunction.LINEAR;
    private int maxPatchFloats = DEFAULT_MAX_PATCH_FLOATS;
    private Algorithm algorithm = Algorithm.AUTO;

    private Parameter kernel;
    private Parameter bias;

    // A BatchNormalization {scale, shift}, residual and activation folded into the epilogue for one forwardFused call.
    private float[][] fusedScaleShift;
    private Tensor fusedResidual;
    private ActivationFunction fusedActivation;
    private Tensor fusedOutput;

    // The last forward pass, for backward; and the buffers the layer reuses.
    private Tensor input;
    private Window2D geometry;
    private Tensor output;
    private final Tensor[] patchWorkspaces = new Tensor[Parallel.threads()];   // one per thread sharing the rows
    private Tensor preActivationGradient;
    private final Tensor[] weightGradientPartials = new Tensor[Parallel.threads()];   // dW of threads 1, 2, ...
    private Tensor inputGradient;
    // Winograd: the kernel transformed (U), valid for kernel version winogradKernelVersion; per-thread V and M.
    private Tensor winogradKernel;
    private long winogradKernelVersion;
    private Tensor winogradInputGradientKernel;
    private long winogradInputGradientKernelVersion;
    private final Bias.Channels[] epilogueChannels = {Bias.Channels.NONE, Bias.Channels.NONE};   // plain, fused
    private final Tensor[] winogradInputs = new Tensor[Parallel.threads()];
    private final Tensor[] winogradProducts = new Tensor[Parallel.threads()];

    /** Keras' {@code Conv2D(filters, kernel_size)} with a square kernel. */
    public Conv2D(int filters, int kernelSize) {
        this(filters, new int[] {kernelSize});
    }

    /** Keras' {@code Conv2D(filters, (kh, kw))}. */
    public Conv2D(int filters, int[] kernelSize) {
        super("conv2d");
        this.filters = LayerArgs.positive(this, "filters", filters);
        this.kernelSize = LayerArgs.pair(this, "kernel_size", kernelSize);
    }

    // ---------------------------------------------------------------- configuration

    /** Keras' {@code strides}: one int for both axes or (height, width). Default 1. */
    public Conv2D strides(int... strides) {
        LayerArgs.requireUnbuilt(this, "strides");
        this.strides = LayerArgs.pair(this, "strides", strides);
        checkStridesAndDilation();
        return this;
    }

    /** Keras' {@code padding}: "valid" (default) or "same". */
    public Conv2D padding(String padding) {
        LayerArgs.requireUnbuilt(this, "padding");
        this.padding = Padding.forName(padding, describe());
        return this;
    }

    /** Keras' {@code dilation_rate}: one int or (height, width); taps are this many pixels apart. Default 1. */
    public Conv2D dilationRate(int... dilationRate) {
        LayerArgs.requireUnbuilt(this, "dilation_rate");
        this.dilationRate = LayerArgs.pair(this, "dilation_rate", dilationRate);
        checkStridesAndDilation();
        return this;
    }

    /** Keras' {@code use_bias} (default true). */
    public Conv2D useBias(boolean useBias) {
        LayerArgs.requireUnbuilt(this, "use_bias");
        this.useBias = useBias;
        return this;
    }

    /** Keras' {@code activation} by name ("relu", "linear", ...; null is linear). May be changed at any time. */
    public Conv2D activation(String activation) {
        this.activation = ActivationFunction.forName(activation);
        return this;
    }

    /** Keras rejects the combination, since TensorFlow's dilated convolution does not stride. */
    private void checkStridesAndDilation() {
        LayerArgs.stridesWithoutDilation(this, strides, dilationRate);
    }

    /** For tests: caps the patch workspace so that small convolutions also run in several row blocks. */
    void maxPatchFloats(int floats) {
        this.maxPatchFloats = floats;
    }

    /** For tests and measurements: forces im2col or Winograd (where it applies) instead of the automatic choice. */
    void algorithm(Algorithm algorithm) {
        this.algorithm = algorithm;
    }

    public int filters() {
        return filters;
    }

    public int[] kernelSize() {
        return kernelSize.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    public Padding padding() {
        return padding;
    }

    public int[] dilationRate() {
        return dilationRate.clone();
    }

    public boolean useBias() {
        return useBias;
    }

    public ActivationFunction activation() {
        return activation;
    }

    /** The kernel (kh, kw, in, out), or null before build. */
    public Parameter kernel() {
        return kernel;
    }

    /** The bias (out,), or null before build or without bias. */
    public Parameter bias() {
        return bias;
    }

    // ---------------------------------------------------------------- shapes and weights

    /** Keras' {@code get_config()}: filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters());
        c.put("kernel_size", list(kernelSize()));
        c.put("strides", list(strides()));
        c.put("padding", padding().kerasName());
        c.put("data_format", "channels_last");
        c.put("dilation_rate", list(dilationRate()));
        c.put("activation", activation().kerasName());
        c.put("use_bias", useBias());
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] hw = Window2D.outputHeightWidth(this, inputShapes, kernelSize, strides, dilationRate, padding);
        return new int[] {hw[0], hw[1], filters};
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int channels = inputShapes[0][2];
        if (channels < 1) {
            throw shapeError("the channel axis must be known to create the kernel, got input shape "
                    + shapesToString(inputShapes, true));
        }
        kernel = addWeight("kernel", new int[] {kernelSize[0], kernelSize[1], channels, filters},
                Initializer.GLOROT_UNIFORM, true);
        bias = useBias ? addWeight("bias", new int[] {filters}, Initializer.ZEROS, true) : null;
    }

    /** 1x1 with stride 1: every output pixel reads exactly its own input pixel, so P is the input itself. */
    private boolean isPointwise() {
        return kernelSize[0] == 1 && kernelSize[1] == 1 && strides[0] == 1 && strides[1] == 1;
    }

    /** Output rows per im2col block: about TARGET_PATCH_FLOATS, at least MIN_BLOCK_ROWS, within the workspace cap. */
    private int blockRows(Window2D g) {
        int k = g.patchSize();
        int rows = Math.min(Math.max(TARGET_PATCH_FLOATS / k, MIN_BLOCK_ROWS), maxPatchFloats / k);
        return Math.max(1, Math.min(g.outputPixels(), rows));
    }

    // ---------------------------------------------------------------- forward

    /** {@link #forwardFused(Tensor, BatchNormalization, Tensor, ActivationFunction)} without a residual. */
    public Tensor forwardFused(Tensor x, BatchNormalization bn, ActivationFunction after) {
        return forwardFused(x, bn, null, after);
    }

    /**
     * Inference of this convolution followed by an inference-mode {@link BatchNormalization}, optionally the
     * {@link Add} of a residual tensor (ResNet's shortcut), and an activation, in one pass:
     * y = after((conv(x) + b) * s + t + residual) with {s, t} = {@code bn.inferenceScaleShift()}. The result
     * equals running the layers in turn (same float operations), without their passes over the feature map.
     * It lands in a buffer of its own and leaves nothing for backward: a backward pass needs a plain forward
     * pass first. The layer's own activation must be linear (the batch norm comes between it and {@code after}).
     */
    public Tensor forwardFused(Tensor x, BatchNormalization bn, Tensor residual, ActivationFunction after) {
        if (activation != ActivationFunction.LINEAR) {
            throw new IllegalStateException(describe() + ": a batch norm can only be folded after a linear convolution, "
                    + "but the activation is " + activation);
        }
        fusedScaleShift = bn.inferenceScaleShift();
        fusedResidual = residual;
        fusedActivation = after;
        try {
            return forward(new Tensor[] {x}, false);
        } finally {
            fusedScaleShift = null;
            fusedResidual = null;
            fusedActivation = null;
        }
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        Window2D g = Window2D.of(x.shape(), kernelSize, strides, dilationRate, padding);
        boolean fused = fusedScaleShift != null;
        if (fused && fusedScaleShift[0].length != filters) {
            throw shapeError("the folded batch norm has " + fusedScaleShift[0].length + " channels, expected " + filters);
        }
        Tensor y = Tensor.reuse(fused ? fusedOutput : output, g.batch(), g.outH(), g.outW(), filters);
        if (fused) {
            fusedOutput = y;
            input = null;   // nothing for backward: see forwardFused
            output = null;
        } else {
            input = x;
            output = y;
        }
        if (fusedResidual != null && !fusedResidual.hasShape(y.shape())) {
            throw shapeError("the residual added after the folded batch norm has shape "
                    + Shapes.toString(fusedResidual.shape()) + ", expected the output shape " + Shapes.toString(y.shape()));
        }
        geometry = g;
        Bias.Epilogue e = new Bias.Epilogue(epilogueChannels(fused),
                fusedResidual == null ? null : fusedResidual.data(), fused ? fusedActivation : activation);
        int m = g.outputPixels();
        int threads = Parallel.threads();
        if (usesWinograd(g)) {
            forwardWinograd(g, x, y, e);
        } else if (threads == 1) {
            forwardRows(g, x, y, 0, m, 0, e);
        } else if (m >= threads * MIN_ROWS_PER_THREAD) {
            // Each thread owns a contiguous share of the output rows and computes it alone (see the class comment).
            Blas.singleThreaded(() -> Parallel.range(threads, 1, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    forwardRows(g, x, y, (int) ((long) m * t / threads), (int) ((long) m * (t + 1) / threads), t, e);
                }
            }));
        } else {
            forwardColumns(g, x, y, e);
        }
        return y;
    }

    /**
     * Y[r0:r1] = P[r0:r1] W, block by block, each block followed by its epilogue (bias, batch norm, residual,
     * activation) while it is still in cache. Runs on one thread (a parallel loop inside a parallel loop is
     * serial) with patch workspace number {@code workspace}.
     */
    private void forwardRows(Window2D g, Tensor x, Tensor y, int r0, int r1, int workspace, Bias.Epilogue e) {
        int k = g.patchSize();
        FloatBuffer w = kernel.value().data();
        if (isPointwise()) {
            // Y (pixels x out) = X (pixels x in) W (in x out)
            Blas.sgemm(false, false, r1 - r0, filters, k, 1f, x.data(), (long) r0 * k, k, w, 0, filters,
                    0f, y.data(), (long) r0 * filters, filters);
            Bias.apply(e, y.data(), r0, r1, filters);
            return;
        }
        FloatBuffer patches = patchWorkspace(workspace, Math.min(r1 - r0, blockRows(g)), k);
        for (int s0 = r0; s0 < r1; s0 += blockRows(g)) {
            int s1 = Math.min(r1, s0 + blockRows(g));
            Im2col.im2col(g, x.data(), s0, s1, patches);
            Blas.sgemm(false, false, s1 - s0, filters, k, 1f, patches, 0, k, w, 0, filters,
                    0f, y.data(), (long) s0 * filters, filters);
            Bias.apply(e, y.data(), s0, s1, filters);
        }
    }

    /**
     * Few output rows (a small feature map): the threads share each block's filters instead, Y[:, f0:f1] =
     * P W[:, f0:f1], after building the block's patches together. Each thread then packs only its own slice
     * of the kernel, which here is larger than the patches.
     */
    private void forwardColumns(Window2D g, Tensor x, Tensor y, Bias.Epilogue e) {
        int m = g.outputPixels();
        int k = g.patchSize();
        int block = isPointwise() ? m : blockRows(g);
        FloatBuffer patches = isPointwise() ? x.data() : patchWorkspace(0, block, k);
        FloatBuffer w = kernel.value().data();
        for (int start = 0; start < m; start += block) {
            int r0 = start;
            int r1 = Math.min(m, r0 + block);
            long aOffset = isPointwise() ? (long) r0 * k : 0;
            if (!isPointwise()) {
                Im2col.im2col(g, x.data(), r0, r1, patches);
            }
            Blas.singleThreaded(() -> Parallel.range(filters, MIN_FILTERS_PER_THREAD, (f0, f1) ->
                    Blas.sgemm(false, false, r1 - r0, f1 - f0, k, 1f, patches, aOffset, k, w, f0, filters,
                            0f, y.data(), (long) r0 * filters + f0, filters)));
            Bias.apply(e, y.data(), r0, r1, filters);
        }
    }

    // ---------------------------------------------------------------- forward, Winograd F(2x2, 3x3)

    private boolean usesWinograd(Window2D g) {
        if (algorithm == Algorithm.IM2COL || !Winograd.applies(g)) {
            return false;
        }
        return algorithm == Algorithm.WINOGRAD || (g.channels() >= WINOGRAD_MIN_CHANNELS
                && filters >= WINOGRAD_MIN_CHANNELS
                && (long) Winograd.tileRows(g) * Winograd.tilesWide(g) >= WINOGRAD_MIN_TILES);
    }

    /**
     * The forward pass by {@link Winograd}, block of tile rows by block. As for im2col (see the class comment),
     * a large map gives each thread a share of the tile rows to compute alone, and a small one shares each block:
     * the threads transform its tiles together and then split the 16 products.
     */
    private void forwardWinograd(Window2D g, Tensor x, Tensor y, Bias.Epilogue e) {
        winograd(g, x, y, winogradKernel(g.channels()), filters, e);
    }

    /**
     * y = the 3x3 convolution of geometry g of x with the transformed kernel u (in: g.channels(), out: {@code out}),
     * followed by the epilogue: the forward pass, or with the transposed kernel the backward pass to the input.
     */
    private void winograd(Window2D g, Tensor x, Tensor y, FloatBuffer u, int out, Bias.Epilogue e) {
        int tileRows = Winograd.tileRows(g);
        int tilesW = Winograd.tilesWide(g);
        int floatsPerTile = Winograd.POINTS * (g.channels() + out);
        int blockTiles = Math.min(Math.max(WINOGRAD_TARGET_FLOATS / floatsPerTile, WINOGRAD_MIN_BLOCK_TILES),
                maxPatchFloats / floatsPerTile);
        int blockRows = Math.max(1, Math.min(tileRows, blockTiles / tilesW));
        int threads = Parallel.threads();
        if (threads > 1 && tileRows >= threads * blockRows) {
            Blas.singleThreaded(() -> Parallel.range(threads, 1, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    int q0 = (int) ((long) tileRows * t / threads);
                    int q1 = (int) ((long) tileRows * (t + 1) / threads);
                    for (int s0 = q0; s0 < q1; s0 += blockRows) {
                        winogradBlock(g, x, y, u, out, s0, Math.min(q1, s0 + blockRows), t, false, e);
                    }
                }
            }));
        } else {
            for (int s0 = 0; s0 < tileRows; s0 += blockRows) {
                winogradBlock(g, x, y, u, out, s0, Math.min(tileRows, s0 + blockRows), 0, true, e);
            }
        }
    }

    /** Tile rows [q0, q1): V = B^T d B, the 16 products M_p = V_p U_p, Y = A^T M A and the epilogue. */
    private void winogradBlock(Window2D g, Tensor x, Tensor y, FloatBuffer u, int out, int q0, int q1, int workspace,
                               boolean shareProducts, Bias.Epilogue e) {
        int in = g.channels();
        int tiles = (q1 - q0) * Winograd.tilesWide(g);
        winogradInputs[workspace] = Tensor.reuse(winogradInputs[workspace], Winograd.POINTS, tiles, in);
        winogradProducts[workspace] = Tensor.reuse(winogradProducts[workspace], Winograd.POINTS, tiles, out);
        FloatBuffer v = winogradInputs[workspace].data();
        FloatBuffer m = winogradProducts[workspace].data();
        Winograd.transformInput(g, x.data(), q0, q1, v);
        if (shareProducts) {
            Blas.singleThreaded(() -> Parallel.range(Winograd.POINTS, 1,
                    (p0, p1) -> Winograd.multiply(v, u, m, tiles, in, out, p0, p1)));
        } else {
            Winograd.multiply(v, u, m, tiles, in, out, 0, Winograd.POINTS);
        }
        Winograd.transformOutput(g, m, q0, q1, out, y.data(), e);
    }

    /**
     * The epilogue's per-channel constants: the bias, and for a fused pass the batch norm's {scale, shift}; kept
     * (one set per kind of pass) until either changes.
     */
    private Bias.Channels epilogueChannels(boolean fused) {
        float[] b = useBias ? bias.valueArray() : null;
        float[][] scaleShift = fused ? fusedScaleShift : null;
        int kind = fused ? 1 : 0;
        if (!epilogueChannels[kind].isOf(b, scaleShift)) {
            epilogueChannels[kind] = new Bias.Channels(b, scaleShift, filters);
        }
        return epilogueChannels[kind];
    }

    /** U = G g G^T of the current kernel, recomputed when the kernel has changed since (see Parameter.changed). */
    private FloatBuffer winogradKernel(int in) {
        if (winogradKernel == null || winogradKernelVersion != kernel.version()) {
            winogradKernel = Tensor.reuse(winogradKernel, Winograd.POINTS, in, filters);
            Winograd.transformKernel(kernel.value().data(), in, filters, winogradKernel.data());
            winogradKernelVersion = kernel.version();
        }
        return winogradKernel.data();
    }

    /**
     * U of the kernel that takes the output gradient back to the input (see computeBackward), recomputed when the
     * kernel has changed: a training step changes it, so each step transforms it once.
     */
    private FloatBuffer winogradInputGradientKernel(int in) {
        if (winogradInputGradientKernel == null || winogradInputGradientKernelVersion != kernel.version()) {
            winogradInputGradientKernel = Tensor.reuse(winogradInputGradientKernel, Winograd.POINTS, filters, in);
            Winograd.transformKernelForInputGradient(kernel.value().data(), in, filters,
                    winogradInputGradientKernel.data());
            winogradInputGradientKernelVersion = kernel.version();
        }
        return winogradInputGradientKernel.data();
    }

    /** Patch workspace number i, at least rows x k floats, kept across calls. */
    private FloatBuffer patchWorkspace(int i, int rows, int k) {
        patchWorkspaces[i] = Tensor.reuse(patchWorkspaces[i], rows, k);
        return patchWorkspaces[i].data();
    }

    // ---------------------------------------------------------------- backward

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (output == null) {
            throw new IllegalStateException(describe() + ": backward needs a plain forward pass (the last one was "
                    + (geometry == null ? "missing" : "forwardFused") + ")");
        }
        requireSameShape("output gradient", outputGradient, output);
        Tensor dz = outputGradient;
        if (activation != ActivationFunction.LINEAR) {
            preActivationGradient = Tensor.reuse(preActivationGradient, output.shape());
            activation.backward(null, output, outputGradient, preActivationGradient);
            dz = preActivationGradient;
        }
        Window2D g = geometry;
        int m = g.outputPixels();
        int k = g.patchSize();
        boolean inputNeeded = inputGradientNeeded[0];
        if (inputNeeded) {
            inputGradient = Tensor.reuse(inputGradient, input.shape());
        }
        if (weightGradients && useBias) {
            Bias.gradient(dz.data(), m, filters, bias.gradient());
        }
        if (isPointwise()) {
            if (weightGradients) {
                // dW (in x out) = X^T dZ
                Gemm.sgemm(true, false, k, filters, m, 1f, input.data(), 0, k, dz.data(), 0, filters,
                        0f, kernel.gradient().data(), 0, filters);
            }
            if (inputNeeded) {
                // dX (pixels x in) = dZ W^T
                Gemm.sgemm(false, true, m, k, filters, 1f, dz.data(), 0, filters, kernel.value().data(), 0, filters,
                        0f, inputGradient.data(), 0, k);
            }
            return new Tensor[] {inputNeeded ? inputGradient : null};
        }
        // dL/dx of a 3x3 stride-1 convolution is itself one: dz convolved with the kernel rotated by 180 degrees,
        // in and out swapped, W'[i, j, f, c] = W[2 - i, 2 - j, c, f], over dz padded by 2 - pad on each side.
        boolean winogradInput = inputNeeded && usesWinograd(g);
        boolean im2colInput = inputNeeded && !winogradInput;
        if (im2colInput) {
            inputGradient.fill(0f);
        }
        if (weightGradients || im2colInput) {
            backwardPatches(g, dz, weightGradients, im2colInput);
        }
        if (winogradInput) {
            Window2D back = new Window2D(g.batch(), g.outH(), g.outW(), filters, 3, 3, 1, 1, 1, 1,
                    g.height(), g.width(), 2 - g.padTop(), 2 - g.padLeft());
            winograd(back, dz, inputGradient, winogradInputGradientKernel(g.channels()), g.channels(),
                    Bias.Epilogue.NONE);
        }
        return new Tensor[] {inputNeeded ? inputGradient : null};
    }

    /** dW = P^T dZ and, if {@code inputNeeded}, dX = col2im(dZ W^T), over the patch matrix's row blocks. */
    private void backwardPatches(Window2D g, Tensor dz, boolean weightGradients, boolean inputNeeded) {
        int m = g.outputPixels();
        int threads = Parallel.threads();
        if (threads == 1 || g.batch() < threads) {
            backwardRows(g, dz, 0, m, 0, kernel.gradient(), weightGradients, inputNeeded);
        } else {
            // Each thread takes whole images: col2im of two images never touches the same pixel, and each
            // thread sums dW over its own rows into its own buffer; the buffers are added at the end.
            for (int t = 1; t < threads; t++) {
                weightGradientPartials[t] = weightGradients
                        ? Tensor.reuse(weightGradientPartials[t], kernel.gradient().shape()) : null;
            }
            Tensor dzFinal = dz;
            Blas.singleThreaded(() -> Parallel.range(threads, 1, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    int rowsPerImage = g.outH() * g.outW();
                    int r0 = rowsPerImage * (int) ((long) g.batch() * t / threads);
                    int r1 = rowsPerImage * (int) ((long) g.batch() * (t + 1) / threads);
                    backwardRows(g, dzFinal, r0, r1, t, t == 0 ? kernel.gradient() : weightGradientPartials[t],
                            weightGradients, inputNeeded);
                }
            }));
            if (weightGradients) {
                for (int t = 1; t < threads; t++) {
                    addInto(kernel.gradient().data(), weightGradientPartials[t].data(), kernel.gradient().size());
                }
            }
        }
    }

    /**
     * Rows [r0, r1) of the backward pass, block by block in patch workspace number {@code workspace}:
     * dW = P[r0:r1]^T dZ[r0:r1] into {@code dW} (overwritten), and dX += col2im(dZ[r0:r1] W^T).
     */
    private void backwardRows(Window2D g, Tensor dz, int r0, int r1, int workspace, Tensor dW,
                              boolean weightGradients, boolean inputNeeded) {
        int k = g.patchSize();
        int block = blockRows(g);
        FloatBuffer patches = patchWorkspace(workspace, Math.min(block, r1 - r0), k);
        for (int s0 = r0; s0 < r1; s0 += block) {
            int s1 = Math.min(r1, s0 + block);
            long dzOffset = (long) s0 * filters;
            if (weightGradients) {
                // dW += P[s0:s1]^T dZ[s0:s1]  (the first block overwrites)
                Im2col.im2col(g, input.data(), s0, s1, patches);
                Gemm.sgemm(true, false, k, filters, s1 - s0, 1f, patches, 0, k, dz.data(), dzOffset, filters,
                        s0 == r0 ? 0f : 1f, dW.data(), 0, filters);
            }
            if (inputNeeded) {
                // dP[s0:s1] = dZ[s0:s1] W^T, reusing the patch workspace, then scattered back by col2im
                Gemm.sgemm(false, true, s1 - s0, k, filters, 1f, dz.data(), dzOffset, filters,
                        kernel.value().data(), 0, filters, 0f, patches, 0, k);
                Im2col.col2im(g, patches, s0, s1, inputGradient.data());
            }
        }
    }

    /** sum[i] += part[i] for i < n, through tiles (see Scratch). */
    private static void addInto(FloatBuffer sum, FloatBuffer part, int n) {
        float[] a = Scratch.floats(0, Scratch.FLOATS);
        float[] b = Scratch.floats(1, Scratch.FLOATS);
        for (int at = 0; at < n; at += Scratch.FLOATS) {
            int length = Math.min(Scratch.FLOATS, n - at);
            sum.get(at, a, 0, length);
            part.get(at, b, 0, length);
            for (int i = 0; i < length; i++) {
                a[i] += b[i];
            }
            sum.put(at, a, 0, length);
        }
    }
}
