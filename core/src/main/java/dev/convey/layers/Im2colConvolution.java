package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.PackedWeights;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Workspace;

/**
 * Convolution as im2col + GEMM; equals {@link ReferenceConvolution#conv2d}. With P the patch matrix (one row per
 * output pixel, kh*kw*in columns, see {@link Im2col}) and W the HWIO kernel viewed as a (kh*kw*in, out) matrix:
 * <pre>
 *   forward:   Y = P W                   (NHWC output directly), then the epilogue
 *   backward:  dW = P^T dZ               (summed over the row blocks)
 *              dX = col2im(dZ W^T)       (each patch entry's gradient flows back to the pixel it was copied from)
 * </pre>
 * P is built for a block of output rows at a time, in the calling thread's {@link Workspace} (shared by all
 * layers), so memory stays bounded for any batch.
 *
 * <p>Threading of the forward pass. With OpenBLAS' own threads, im2col and the epilogue run between GEMM calls
 * while its workers spin, and each GEMM on a cache-sized block is too small to split well. Instead each Java
 * thread owns a contiguous share of the output rows ({@link Gemm#shares}) and runs im2col, GEMM and epilogue on
 * its own blocks, in its own patch workspace. A small feature map (ResNet's 7x7 and 14x14 at batch 1) has too
 * few rows to share, and its kernel is larger than its patches: there the threads build each block's patches
 * together and then each multiplies it by its own slice of the kernel's columns (filters). Backward splits a
 * batch's images over the threads in the same way (single images split each product in {@link Gemm}).
 */
class Im2colConvolution implements ConvolutionKernel {

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
    static final int DEFAULT_MAX_PATCH_FLOATS = 1 << 21;
    /**
     * Output rows are split over the threads when each gets at least this many; smaller feature maps split the
     * filters, at least this many per thread. Measured on ResNet50 and VGG16 at batch 1: 256 rows beat 64
     * (small row shares re-pack the whole kernel per thread) and beat splitting filters everywhere.
     */
    private static final int MIN_ROWS_PER_THREAD = 256;
    private static final int MIN_FILTERS_PER_THREAD = 16;

    int maxPatchFloats = DEFAULT_MAX_PATCH_FLOATS;
    private final Tensor[] weightGradientPartials = new Tensor[Parallel.threads()];   // dW of threads 1, 2, ...
    private final PackedKernel packedKernel = new PackedKernel();   // W packed for the forward GEMMs

    /** Whether the input itself is the patch matrix (a 1x1 stride-1 convolution: {@link PointwiseConvolution}). */
    boolean inputIsPatches() {
        return false;
    }

    /** Output rows per im2col block: about TARGET_PATCH_FLOATS, at least MIN_BLOCK_ROWS, within the workspace cap. */
    int blockRows(Window2D g) {
        int k = g.patchSize();
        int rows = Math.min(Math.max(TARGET_PATCH_FLOATS / k, MIN_BLOCK_ROWS), maxPatchFloats / k);
        return Math.max(1, Math.min(g.outputPixels(), rows));
    }

    // ---------------------------------------------------------------- forward

    @Override
    public void forward(Window2D g, Tensor x, Parameter kernel, Tensor y, Epilogue.Bound e) {
        int m = g.outputPixels();
        int threads = Parallel.threads();
        Tensor w = kernel.value();
        // W packed once per kernel version for Convey's own GEMM, or null: OpenBLAS (see Gemm#packedEnabled)
        PackedWeights packed = packedKernel.of(kernel, 1, g.patchSize(), w.dim(3), w::data);
        if (packed != null && implicitPatches(g)) {
            forwardImplicit(g, x, packed, w.dim(3), y, e);
        } else if (threads == 1) {
            forwardRows(g, x, w, packed, y, 0, m, e);
        } else if (m >= threads * MIN_ROWS_PER_THREAD) {
            Gemm.shares(m, (t, r0, r1) -> forwardRows(g, x, w, packed, y, r0, r1, e));
        } else {
            forwardColumns(g, x, w, packed, y, e);
        }
    }

    /**
     * Y[r0:r1] = P[r0:r1] W, block by block, each block followed by its epilogue while it is still in cache.
     * Runs on one thread, in its patch workspace; with W {@code packed} (or null) either GEMM.
     */
    private void forwardRows(Window2D g, Tensor x, Tensor w, PackedWeights packed, Tensor y, int r0, int r1,
                             Epilogue.Bound e) {
        int k = g.patchSize();
        int filters = w.dim(3);
        int block = inputIsPatches() ? Math.max(1, r1 - r0) : blockRows(g);
        FloatBuffer patches = inputIsPatches() ? x.data() : patchWorkspace(Math.min(r1 - r0, block), k);
        for (int s0 = r0; s0 < r1; s0 += block) {
            int s1 = Math.min(r1, s0 + block);
            long aOffset = inputIsPatches() ? (long) s0 * k : 0;
            if (!inputIsPatches()) {
                Im2col.im2col(g, x.data(), s0, s1, patches);
            }
            // Y[s0:s1] (rows x out) = P[s0:s1] (rows x k) W (k x out)
            if (packed != null) {
                Gemm.sgemmPackedOnThisThread(s1 - s0, patches, aOffset, k, packed, 0, 0, filters,
                        0f, y.data(), (long) s0 * filters, filters);
            } else {
                Gemm.sgemmOnThisThread(false, false, s1 - s0, filters, k, 1f, patches, aOffset, k, w.data(), 0, filters,
                        0f, y.data(), (long) s0 * filters, filters);
            }
            Epilogue.apply(e, y.data(), s0, s1, filters);
        }
    }

    /**
     * Few output rows (a small feature map): the threads share each block's filters instead, Y[:, f0:f1] =
     * P W[:, f0:f1], after building the block's patches together. Each thread then packs only its own slice
     * of the kernel, which here is larger than the patches. Packed, W's slices are whole panels.
     */
    private void forwardColumns(Window2D g, Tensor x, Tensor w, PackedWeights packed, Tensor y, Epilogue.Bound e) {
        int m = g.outputPixels();
        int k = g.patchSize();
        int filters = w.dim(3);
        int block = inputIsPatches() ? m : blockRows(g);
        FloatBuffer patches = inputIsPatches() ? x.data() : patchWorkspace(block, k);
        for (int start = 0; start < m; start += block) {
            int r0 = start;
            int r1 = Math.min(m, r0 + block);
            long aOffset = inputIsPatches() ? (long) r0 * k : 0;
            if (!inputIsPatches()) {
                Im2col.im2col(g, x.data(), r0, r1, patches);
            }
            if (packed != null) {
                int nr = packed.panelWidth();
                Gemm.onEachCore((filters + nr - 1) / nr, Math.max(1, MIN_FILTERS_PER_THREAD / nr), (j0, j1) -> {
                    int f0 = j0 * nr;
                    int f1 = Math.min(filters, j1 * nr);
                    Gemm.sgemmPackedOnThisThread(r1 - r0, patches, aOffset, k, packed, 0, f0, f1 - f0,
                            0f, y.data(), (long) r0 * filters + f0, filters);
                });
            } else {
                Gemm.onEachCore(filters, MIN_FILTERS_PER_THREAD, (f0, f1) ->
                        Gemm.sgemmOnThisThread(false, false, r1 - r0, f1 - f0, k, 1f, patches, aOffset, k, w.data(), f0,
                                filters, 0f, y.data(), (long) r0 * filters + f0, filters));
            }
            Epilogue.apply(e, y.data(), r0, r1, filters);
        }
    }

    // ---------------------------------------------------------------- forward, implicit patches

    /**
     * System property, read at every call: {@code false} builds every patch block by im2col (the reference path),
     * {@code true} reads the patch rows from the image itself ({@link ImplicitPatches}) wherever it applies (tests,
     * measurements); unset, the rule below decides. Either way only on the packed GEMM.
     */
    static final String IMPLICIT_PATCHES_PROPERTY = "convey.conv.implicitPatches";
    /**
     * Where implicit patches win: few channels (the RGB input: im2col copies runs of kw C floats, 21 for a 7x7
     * kernel, and writes kh kw C floats per output pixel against a GEMM of only that many times the filters
     * multiply-adds) and output rows of at least two micro-tiles (each output row is one product; the packed
     * GEMM's tiles have 12 rows). Measured ({@code ConvAbProbe convey.conv.implicitPatches false true}, 600
     * rounds, batch 1, median (quartiles) of the per-round time ratios, 2-core AVX-512 host under heavy load,
     * 2026-12-02): ResNet50's stem 224x224x3 -> 112x112x64 (7x7 stride 2, 'same') 0.67 (0.62-0.71), also at batch 8,
     * MobileNetV2's 224x224x3 -> 112x112x32 (3x3 stride 2) 0.45 (0.39-0.50). Where the channels are many the patch
     * copy is cheap beside the product, and one product per output row loses: 1x1 stride-2 convolutions of ResNet50
     * (56x56x256, 28x28x512, 14x14x1024 in) took 1.01-1.25x (0.84x at 14x14x1024 -> 2048, inside the noise),
     * a 3x3 at 56x56x64 0.96-0.97x of F(2x2, 3x3) (quartiles 0.87-1.06: no reason to leave Winograd there).
     */
    private static final int MAX_IMPLICIT_CHANNELS = 4;
    private static final int MIN_IMPLICIT_WIDTH = 24;

    /** Whether the forward pass reads the patches in place ({@link ImplicitPatches}) rather than by im2col. */
    boolean implicitPatches(Window2D g) {
        String p = System.getProperty(IMPLICIT_PATCHES_PROPERTY);
        return !inputIsPatches() && ImplicitPatches.applies(g) && !"false".equals(p)
                && ("true".equals(p) || (g.channels() <= MAX_IMPLICIT_CHANNELS && g.outW() >= MIN_IMPLICIT_WIDTH));
    }

    /**
     * Y = P W with P's rows read from the (padded) image, one output row (outW pixels) per product, each followed
     * by its epilogue while it is in cache. The threads share the output rows, or for a small map each
     * multiplies every row by its own panels of W (as {@link #forwardColumns}).
     */
    private void forwardImplicit(Window2D g, Tensor x, PackedWeights packed, int filters, Tensor y, Epilogue.Bound e) {
        ImplicitPatches p = ImplicitPatches.of(g, x.data());
        int rows = g.batch() * g.outH();
        int threads = Parallel.threads();
        if (threads == 1 || g.outputPixels() >= threads * MIN_ROWS_PER_THREAD) {
            Gemm.shares(rows, (t, q0, q1) -> {
                for (int q = q0; q < q1; q++) {
                    implicitRow(g, p, packed, q, 0, filters, filters, y);
                    Epilogue.apply(e, y.data(), q * g.outW(), (q + 1) * g.outW(), filters);
                }
            });
        } else {
            int nr = packed.panelWidth();
            Gemm.onEachCore((filters + nr - 1) / nr, Math.max(1, MIN_FILTERS_PER_THREAD / nr), (j0, j1) -> {
                for (int q = 0; q < rows; q++) {
                    implicitRow(g, p, packed, q, j0 * nr, Math.min(filters, j1 * nr), filters, y);
                }
            });
            Epilogue.apply(e, y.data(), 0, g.outputPixels(), filters);
        }
    }

    /** Y[row q = (n, oh), filters f0..f1) = P[q] W[:, f0..f1): one product of outW rows, A read in place. */
    private static void implicitRow(Window2D g, ImplicitPatches p, PackedWeights packed, int q, int f0, int f1,
                                    int filters, Tensor y) {
        Gemm.sgemmPackedRunsOnThisThread(g.outW(), p.buffer(), p.rowStart(q / g.outH(), q % g.outH()), p.lda(),
                p.run(), p.runStride(), packed, 0, f0, f1 - f0, 0f, y.data(), (long) q * g.outW() * filters + f0, filters);
    }

    /** The calling thread's patch workspace, at least rows x k floats (shared by all layers: {@link Workspace}). */
    private static FloatBuffer patchWorkspace(int rows, int k) {
        return Workspace.floats(Workspace.Slot.PATCHES, (long) rows * k);
    }

    // ---------------------------------------------------------------- backward

    /**
     * System property: {@code true} runs the backward passes as before the training-step work (images split over
     * the threads at every size, a 1x1 convolution's dL/dW split by columns, col2im for 1x1, and in
     * {@link WinogradConvolution} the rotated kernel's transform and im2col's dL/dW), read at every call (A/B).
     */
    static final String BACKWARD_REFERENCE_PROPERTY = "convey.conv.backwardReference";

    static boolean backwardReference() {
        return Boolean.getBoolean(BACKWARD_REFERENCE_PROPERTY);
    }

    @Override
    public void backward(Window2D g, Tensor x, Parameter kernel, Tensor dz, boolean weightGradients, Tensor dx) {
        if (dx != null) {
            dx.fill(0f);   // col2im adds into it
        }
        if (!weightGradients && dx == null) {
            return;
        }
        int threads = Parallel.threads();
        // A small map (ResNet's 7x7 at batch 8): per-image shares would each sum a whole dW of their own, larger
        // than their patches; there every product is split over the cores instead (Gemm.sgemm), as forwardColumns.
        boolean smallMap = g.outputPixels() < threads * MIN_ROWS_PER_THREAD && !backwardReference();
        if (threads == 1 || g.batch() < threads || smallMap) {
            backwardRows(g, x, kernel, dz, 0, g.outputPixels(), kernel.gradient(), weightGradients, dx);
            return;
        }
        // Each thread takes whole images: col2im of two images never touches the same pixel, and each
        // thread sums dW over its own rows into its own buffer; the buffers are added at the end.
        int rowsPerImage = g.outH() * g.outW();
        weightGradientByShares(kernel, g.batch(), weightGradients, (t, b0, b1, dW) -> backwardRows(g, x, kernel, dz,
                rowsPerImage * b0, rowsPerImage * b1, dW, weightGradients, dx));
    }

    /** One thread's share [start, end) of a backward pass, its dL/dW (overwritten) into {@code dW}. */
    @FunctionalInterface
    interface WeightGradientShare {
        void run(int share, int start, int end, Tensor dW);
    }

    /**
     * [0, n) split over the threads ({@link Gemm#shares}), share 0 writing dL/dW into the kernel's gradient and
     * share t &gt; 0 into a buffer of its own, added into it at the end in order (no dependence on timing).
     */
    void weightGradientByShares(Parameter kernel, int n, boolean weightGradients, WeightGradientShare body) {
        int threads = Parallel.threads();
        for (int t = 1; t < threads; t++) {
            weightGradientPartials[t] = weightGradients
                    ? Tensor.reuse(weightGradientPartials[t], kernel.gradient().shape()) : null;
        }
        Gemm.shares(n, (t, s0, s1) -> body.run(t, s0, s1, t == 0 ? kernel.gradient() : weightGradientPartials[t]));
        if (weightGradients) {
            FloatBuffer sum = kernel.gradient().data();
            for (int t = 1; t < threads; t++) {
                Scratch.forEachTile(0, kernel.gradient().size(), 1, sum, weightGradientPartials[t].data(), null, sum,
                        (a, b, unused, length) -> Epilogue.add(a, b, length));
            }
        }
    }

    /**
     * Rows [r0, r1) of the backward pass, block by block in the calling thread's patch workspace:
     * dW = P[r0:r1]^T dZ[r0:r1] into {@code dW} (overwritten), and dX += col2im(dZ[r0:r1] W^T).
     */
    private void backwardRows(Window2D g, Tensor x, Parameter kernel, Tensor dz, int r0, int r1,
                              Tensor dW, boolean weightGradients, Tensor dx) {
        int k = g.patchSize();
        int filters = kernel.value().dim(3);
        int block = blockRows(g);
        FloatBuffer patches = patchWorkspace(Math.min(block, r1 - r0), k);
        for (int s0 = r0; s0 < r1; s0 += block) {
            int s1 = Math.min(r1, s0 + block);
            long dzOffset = (long) s0 * filters;
            if (weightGradients) {
                // dW += P[s0:s1]^T dZ[s0:s1]  (the first block overwrites)
                Im2col.im2col(g, x.data(), s0, s1, patches);
                Gemm.sgemm(true, false, k, filters, s1 - s0, 1f, patches, 0, k, dz.data(), dzOffset, filters,
                        s0 == r0 ? 0f : 1f, dW.data(), 0, filters);
            }
            if (dx != null) {
                // dP[s0:s1] = dZ[s0:s1] W^T, reusing the patch workspace, then scattered back by col2im
                Gemm.sgemm(false, true, s1 - s0, k, filters, 1f, dz.data(), dzOffset, filters,
                        kernel.value().data(), 0, filters, 0f, patches, 0, k);
                Im2col.col2im(g, patches, s0, s1, dx.data());
            }
        }
    }
}
