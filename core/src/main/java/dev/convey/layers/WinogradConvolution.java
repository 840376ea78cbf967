package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.PackedWeights;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Workspace;

/**
 * A 3x3, stride-1, undilated convolution by Winograd's F(2x2, 3x3) or F(4x4, 3x3) (the transforms are in
 * {@link Winograd} and {@link Winograd4x4}, see {@link WinogradTransforms}); equals
 * {@link ReferenceConvolution#conv2d}. Per block of m x m output tiles:
 * <pre>
 *   V = B^T d B (input tiles),  M_p = V_p U_p (16 or 36 GEMMs, tiles x in by in x out),  Y = A^T M A,  then the epilogue
 * </pre>
 * with U = G g G^T the transformed kernel, cached per {@link Parameter#version()}. Backward: dL/dW by
 * {@link WinogradWeightGradient} for F(2x2, 3x3) where it is worth it (16 products V_p^T dM_p), else by
 * {@link Im2colConvolution}; dL/dx of a 3x3 stride-1 convolution is itself one, dz convolved with the kernel
 * rotated by 180 degrees, in and out swapped, W'[i, j, f, c] = W[2 - i, 2 - j, c, f], over dz padded by
 * 2 - pad on each side, so it runs through the same forward scheme; for F(2x2, 3x3) its transform U' is U with
 * the points permuted and each transposed ({@link WinogradTransforms#inputGradientPoints}), so those products
 * read a forward transform of W transposed.
 */
final class WinogradConvolution implements ConvolutionKernel {

    /**
     * Sizing. Its 16 products are (tiles x in) by (in x out), so each repacks a 16/9 share of the kernel: it wins
     * where a product has many tiles and enough channels, and loses to im2col on ResNet's 7x7 maps at batch 1
     * (16 tiles; 14x14 maps have 49 and win) and on the 3-channel RGB input. A block holds about TARGET_FLOATS
     * of transformed input and products, at least MIN_BLOCK_TILES tiles.
     */
    private static final int MIN_CHANNELS = 16;
    private static final int MIN_TILES = 32;
    /**
     * F(4x4, 3x3) from output maps of 112 x 112 on (VGG16's blocks 1 and 2). Measured against F(2x2, 3x3) in one
     * JVM, whole layers at batch 1 (2-core AVX-512, loaded): 0.86x the time at 224x224x64, 0.90-0.94x at 112x112;
     * at 56x56 and below it gains 0-10% at best (its products have 4x fewer rows, each re-packing its point of
     * U, and its output transform costs more) while its rounding grows with the channels (1e-4 of the largest
     * output at 56x56x256 against 2e-5 at 128 channels), and U takes 4x the kernel's memory (16/9 for F(2x2)).
     */
    private static final int MIN_SIDE_4X4 = 112;
    private static final int TARGET_FLOATS = 1 << 19;
    private static final int MIN_BLOCK_TILES = 256;
    /**
     * System property: {@code true} computes dL/dx with the rotated kernel's own transform U' instead of the
     * forward transform U read transposed (see {@link WinogradTransforms#inputGradientPoints}); read at every call.
     */
    static final String ROTATED_INPUT_GRADIENT_PROPERTY = "convey.winograd.rotatedInputGradient";
    /**
     * System property, read at every call: {@code true} computes F(2x2, 3x3)'s dL/dW by im2col everywhere,
     * {@code false} by Winograd everywhere (tests, measurements); unset, {@link WinogradWeightGradient#worthIt} decides.
     */
    static final String IM2COL_WEIGHT_GRADIENT_PROPERTY = "convey.winograd.im2colWeightGradient";

    private final WinogradTransforms transforms;
    private final Im2colConvolution weightGradients;
    private final WinogradWeightGradient winogradWeightGradient = new WinogradWeightGradient();
    int maxWorkspaceFloats = Im2colConvolution.DEFAULT_MAX_PATCH_FLOATS;
    // U for the forward pass and for the input gradient, each valid for one kernel version (V and M: the thread's Workspace).
    private Tensor forwardU;
    private long forwardUVersion;
    private Parameter forwardUFor;   // the weight U is of: a layer may pass another one (InputScaledConvolution)
    private Tensor inputGradientU;
    private long inputGradientUVersion;
    private Parameter inputGradientUFor;
    private boolean inputGradientUTransposed;
    private final PackedKernel forwardPacked = new PackedKernel();   // forward U's points packed for the GEMMs

    /**
     * @param transforms      F(2x2, 3x3) or F(4x4, 3x3)
     * @param weightGradients the im2col kernel that computes dL/dW for this one
     */
    WinogradConvolution(WinogradTransforms transforms, Im2colConvolution weightGradients) {
        this.transforms = transforms;
        this.weightGradients = weightGradients;
    }

    /** Whether Winograd F(2x2, 3x3) is faster than im2col for geometry g (which {@link Winograd#applies} to). */
    static boolean worthIt(Window2D g, int filters) {
        return g.channels() >= MIN_CHANNELS && filters >= MIN_CHANNELS
                && (long) Winograd.tileRows(g) * Winograd.tilesWide(g) >= MIN_TILES;
    }

    /** Whether F(4x4, 3x3) is faster than F(2x2, 3x3) for geometry g (which F(2x2, 3x3) is {@link #worthIt} for). */
    static boolean worthIt4x4(Window2D g) {
        return g.outH() >= MIN_SIDE_4X4 && g.outW() >= MIN_SIDE_4X4;
    }

    @Override
    public String toString() {
        return "Winograd " + transforms;
    }

    @Override
    public void forward(Window2D g, Tensor x, Parameter kernel, Tensor y, Epilogue.Bound e) {
        int filters = kernel.value().dim(3);
        int in = g.channels();
        // Packed, U is only the packing's source: transformed into the thread's workspace, so that the weights
        // are not held three times over (kernel, U, packed U). Unpacked, U is kept for its kernel version.
        PackedWeights packed = forwardPacked.of(kernel, transforms.points(), in, filters, () -> {
            FloatBuffer u = Workspace.floats(Workspace.Slot.KERNEL_TRANSFORM, (long) transforms.points() * in * filters);
            transforms.transformKernel(kernel.value().data(), in, filters, u);
            return u;
        });
        if (packed != null) {
            forwardU = null;
            convolve(g, x, y, null, packed, null, filters, e);
            return;
        }
        if (forwardU == null || forwardUFor != kernel || forwardUVersion != kernel.version()) {
            forwardU = Tensor.reuse(forwardU, transforms.points(), in, filters);
            transforms.transformKernel(kernel.value().data(), in, filters, forwardU.data());
            forwardUVersion = kernel.version();
            forwardUFor = kernel;
        }
        convolve(g, x, y, forwardU.data(), null, null, filters, e);
    }

    @Override
    public void backward(Window2D g, Tensor x, Parameter kernel, Tensor dz, boolean weightGradients, Tensor dx) {
        if (weightGradients && winogradWeightGradient(g, kernel.value().dim(3))) {
            winogradWeightGradient.backward(g, x, kernel, dz, maxWorkspaceFloats);
        } else if (weightGradients) {
            this.weightGradients.backward(g, x, kernel, dz, true, null);
        }
        if (dx == null) {
            return;
        }
        int in = g.channels();
        int filters = kernel.value().dim(3);
        // U' is U with its points permuted and each transposed (F(2x2, 3x3)), or a transform of its own: the
        // transposed products then read the forward transform, which costs half the rotated one (that reads W
        // across its rows). A training step changes the kernel, so each step transforms it once.
        boolean rotated = Boolean.getBoolean(ROTATED_INPUT_GRADIENT_PROPERTY) || Im2colConvolution.backwardReference();
        int[] transposedPoints = rotated ? null : transforms.inputGradientPoints();
        if (inputGradientU == null || inputGradientUFor != kernel || inputGradientUVersion != kernel.version()
                || (transposedPoints != null) != inputGradientUTransposed) {
            if (transposedPoints != null) {
                inputGradientU = Tensor.reuse(inputGradientU, transforms.points(), in, filters);
                transforms.transformKernel(kernel.value().data(), in, filters, inputGradientU.data());
            } else {
                inputGradientU = Tensor.reuse(inputGradientU, transforms.points(), filters, in);
                transforms.transformKernelForInputGradient(kernel.value().data(), in, filters, inputGradientU.data());
            }
            inputGradientUVersion = kernel.version();
            inputGradientUFor = kernel;
            inputGradientUTransposed = transposedPoints != null;
        }
        Window2D back = new Window2D(g.batch(), g.outH(), g.outW(), filters, 3, 3, 1, 1, 1, 1,
                g.height(), g.width(), 2 - g.padTop(), 2 - g.padLeft());
        convolve(back, dz, dx, inputGradientU.data(), null, transposedPoints, in, Epilogue.Bound.NONE);
    }

    /**
     * Whether dL/dW goes through {@link WinogradWeightGradient}: F(2x2, 3x3) where it is worth it, unless the
     * property says im2col; {@code force} (tests) takes it wherever F(2x2, 3x3) runs.
     */
    private boolean winogradWeightGradient(Window2D g, int filters) {
        String p = System.getProperty(IM2COL_WEIGHT_GRADIENT_PROPERTY);
        return transforms == WinogradTransforms.F2X2 && !"true".equals(p) && !Im2colConvolution.backwardReference()
                && ("false".equals(p) || WinogradWeightGradient.worthIt(g, filters));
    }

    /**
     * y = the 3x3 convolution of geometry g of x with the transformed kernel u (in: g.channels(), out: {@code out}),
     * then the epilogue, block of tile rows by block. As for im2col, a large map gives each thread a share of the
     * tile rows to compute alone, and a small one shares each block: the threads transform its tiles together
     * and then split the products. U's points are multiplied {@code packed} (null: OpenBLAS on u).
     */
    private void convolve(Window2D g, Tensor x, Tensor y, FloatBuffer u, PackedWeights packed, int[] uPoints, int out,
                          Epilogue.Bound e) {
        int tileRows = transforms.tileRows(g);
        int tilesW = transforms.tilesWide(g);
        int floatsPerTile = transforms.points() * (g.channels() + out);
        int blockTiles = Math.min(Math.max(TARGET_FLOATS / floatsPerTile, MIN_BLOCK_TILES),
                maxWorkspaceFloats / floatsPerTile);
        int blockRows = Math.max(1, Math.min(tileRows, blockTiles / tilesW));
        int threads = Parallel.threads();
        if (threads > 1 && tileRows >= threads * blockRows) {
            Gemm.shares(tileRows, (t, q0, q1) -> {
                for (int s0 = q0; s0 < q1; s0 += blockRows) {
                    block(g, x, y, u, packed, uPoints, out, s0, Math.min(q1, s0 + blockRows), false, e);
                }
            });
        } else {
            for (int s0 = 0; s0 < tileRows; s0 += blockRows) {
                block(g, x, y, u, packed, uPoints, out, s0, Math.min(tileRows, s0 + blockRows), true, e);
            }
        }
    }

    /**
     * Tile rows [q0, q1): V = B^T d B, the products M_p = V_p U_p (U's points {@code packed}, or U itself, or
     * V_p U_{uPoints[p]}^T, see {@link #multiplyTransposed}), Y = A^T M A and the epilogue.
     */
    private void block(Window2D g, Tensor x, Tensor y, FloatBuffer u, PackedWeights packed, int[] uPoints, int out,
                       int q0, int q1,
                       boolean shareProducts, Epilogue.Bound e) {
        int in = g.channels();
        int tiles = (q1 - q0) * transforms.tilesWide(g);
        int points = transforms.points();
        FloatBuffer v = Workspace.floats(Workspace.Slot.TILES, (long) points * tiles * in);
        FloatBuffer m = Workspace.floats(Workspace.Slot.PRODUCTS, (long) points * tiles * out);
        transforms.transformInput(g, x.data(), q0, q1, v);
        if (shareProducts) {
            Gemm.onEachCore(points, 1, (p0, p1) -> multiply(v, u, packed, uPoints, m, tiles, in, out, p0, p1));
        } else {
            multiply(v, u, packed, uPoints, m, tiles, in, out, 0, points);
        }
        transforms.transformOutput(g, m, q0, q1, out, y.data(), e);
    }

    private static void multiply(FloatBuffer v, FloatBuffer u, PackedWeights packed, int[] uPoints, FloatBuffer m,
                                 int tiles, int in, int out, int p0, int p1) {
        if (uPoints == null) {
            Winograd.multiply(v, u, packed, m, tiles, in, out, p0, p1);
        } else {
            multiplyTransposed(v, u, uPoints, m, tiles, in, out, p0, p1);
        }
    }

    /**
     * M_p = V_p U_{uPoints[p]}^T for points [p0, p1): (tiles x in) times (in x out), U being (points, out, in),
     * on the calling thread. Equals {@link Winograd#multiply} with U' = the transposed, permuted U.
     */
    static void multiplyTransposed(FloatBuffer v, FloatBuffer u, int[] uPoints, FloatBuffer m, int tiles, int in, int out,
                                   int p0, int p1) {
        for (int p = p0; p < p1; p++) {
            Gemm.sgemmOnThisThread(false, true, tiles, out, in, 1f, v, (long) p * tiles * in, in,
                    u, (long) uPoints[p] * in * out, in, 0f, m, (long) p * tiles * out, out);
        }
    }
}
