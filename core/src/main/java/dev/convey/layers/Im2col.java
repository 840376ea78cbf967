package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;

/**
 * im2col and its adjoint col2im: the two data movements that turn a convolution into a matrix product.
 *
 * <p>Row r of the patch matrix is output pixel r = (n, oh, ow) of the batch (NHWC order, so the GEMM's output
 * rows are the NHWC output); its columns are the pixels under the kernel in (i, j, c) order: tap (i, j) of the
 * kernel, channel c. That is the order of an HWIO kernel (kh, kw, in, out) flattened to (kh*kw*in, out), so
 * {@code output = patches x kernel} needs no transpose:
 * <pre>
 *   patches[r, (i * kw + j) * C + c] = x[n, oh*sh - padTop + i*dh, ow*sw - padLeft + j*dw, c]   (0 in padding)
 * </pre>
 * In NHWC the C channels of a pixel are contiguous, so each tap is one bulk copy of C floats (and a whole
 * kernel row is one copy of kw*C floats when it is undilated and lies inside the image).
 *
 * <p>Both work on a block of rows [r0, r1) so that the patch matrix never has to exist for the whole batch.
 */
final class Im2col {

    /** Split a block over the cores once it holds this many floats. */
    private static final int MIN_FLOATS_PER_CHUNK = 1 << 14;

    /** A source of zeros for bulk writes of the padding. */
    private static final float[] ZEROS = new float[1024];

    private Im2col() {
    }

    /** Writes rows [r0, r1) of the patch matrix of input {@code x} to {@code patches}, row r at (r - r0) * K. */
    static void im2col(Window2D g, FloatBuffer x, int r0, int r1, FloatBuffer patches) {
        int k = g.patchSize();
        Parallel.range(r1 - r0, Math.max(1, MIN_FLOATS_PER_CHUNK / k), (start, end) -> {
            for (int r = r0 + start; r < r0 + end; r++) {
                patchRow(g, x, r, patches, (r - r0) * k);
            }
        });
    }

    /** One row: output pixel r's receptive field, tap by tap. */
    private static void patchRow(Window2D g, FloatBuffer x, int r, FloatBuffer patches, int dst) {
        int pixelsPerImage = g.outH() * g.outW();
        int n = r / pixelsPerImage;
        int oh = (r % pixelsPerImage) / g.outW();
        int ow = r % g.outW();
        int c = g.channels();
        int kernelRow = g.kernelW() * c;
        int firstCol = g.inputCol(ow, 0);
        boolean rowInside = g.dilationW() == 1 && firstCol >= 0 && firstCol + g.kernelW() <= g.width();
        for (int i = 0; i < g.kernelH(); i++, dst += kernelRow) {
            int ih = g.inputRow(oh, i);
            if (ih < 0 || ih >= g.height()) {
                zero(patches, dst, kernelRow);
            } else if (rowInside) {
                patches.put(dst, x, g.inputOffset(n, ih, firstCol), kernelRow);
            } else {
                for (int j = 0; j < g.kernelW(); j++) {
                    int iw = g.inputCol(ow, j);
                    if (iw < 0 || iw >= g.width()) {
                        zero(patches, dst + j * c, c);
                    } else {
                        patches.put(dst + j * c, x, g.inputOffset(n, ih, iw), c);
                    }
                }
            }
        }
    }

    /** b[start, start + length) = 0, in bulk writes. */
    static void zero(FloatBuffer b, int start, int length) {
        for (int at = start; at < start + length; at += ZEROS.length) {
            b.put(at, ZEROS, 0, Math.min(ZEROS.length, start + length - at));
        }
    }

    /**
     * The adjoint of im2col: dx[n, ih, iw, c] += dPatches[r - r0, (i * kw + j) * C + c] for every row r in
     * [r0, r1) and tap (i, j) that reads pixel (ih, iw). Overlapping windows (stride &lt; kernel) add several
     * patch entries into one pixel, so rows cannot be split over threads; channels can, because channel c of
     * the patches only ever lands in channel c of dx.
     */
    static void col2im(Window2D g, FloatBuffer dPatches, int r0, int r1, FloatBuffer dx) {
        if (g.kernelH() == 1 && g.kernelW() == 1 && !Im2colConvolution.backwardReference()) {
            scatterPixels(g, dPatches, r0, r1, dx);
            return;
        }
        Parallel.range(g.channels(), 16, (c0, c1) -> {
            float[] patchRow = Scratch.floats(0, g.patchSize());
            float[] pixel = Scratch.floats(1, c1 - c0);
            for (int r = r0; r < r1; r++) {
                dPatches.get((r - r0) * g.patchSize(), patchRow, 0, g.patchSize());
                addPatchRow(g, patchRow, r, dx, c0, c1, pixel);
            }
        });
    }

    /**
     * col2im of a 1x1 kernel (at any stride): each row is one input pixel's C channels, and no two rows read the
     * same pixel, so adding into dx is copying each row there (dx is zero where the row lands: the caller's fill).
     * Rows split over the cores.
     */
    private static void scatterPixels(Window2D g, FloatBuffer dPatches, int r0, int r1, FloatBuffer dx) {
        int c = g.channels();
        int pixelsPerImage = g.outH() * g.outW();
        Parallel.range(r1 - r0, Math.max(1, MIN_FLOATS_PER_CHUNK / c), (start, end) -> {
            for (int r = r0 + start; r < r0 + end; r++) {
                int oh = (r % pixelsPerImage) / g.outW();
                int ih = g.inputRow(oh, 0);
                int iw = g.inputCol(r % g.outW(), 0);
                if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                    dx.put(g.inputOffset(r / pixelsPerImage, ih, iw), dPatches, (r - r0) * c, c);
                }
            }
        });
    }

    /**
     * Adds channels [c0, c1) of patch row r (in {@code patchRow}) back into the pixels it was read from; each
     * pixel's run of channels goes through the tile {@code pixel} (see Scratch).
     */
    private static void addPatchRow(Window2D g, float[] patchRow, int r, FloatBuffer dx, int c0, int c1,
                                    float[] pixel) {
        int pixelsPerImage = g.outH() * g.outW();
        int n = r / pixelsPerImage;
        int oh = (r % pixelsPerImage) / g.outW();
        int ow = r % g.outW();
        int run = c1 - c0;
        for (int i = 0; i < g.kernelH(); i++) {
            int ih = g.inputRow(oh, i);
            if (ih < 0 || ih >= g.height()) {
                continue;
            }
            for (int j = 0; j < g.kernelW(); j++) {
                int iw = g.inputCol(ow, j);
                if (iw < 0 || iw >= g.width()) {
                    continue;
                }
                int from = (i * g.kernelW() + j) * g.channels() + c0;
                int to = g.inputOffset(n, ih, iw) + c0;
                dx.get(to, pixel, 0, run);
                for (int c = 0; c < run; c++) {
                    pixel[c] += patchRow[from + c];
                }
                dx.put(to, pixel, 0, run);
            }
        }
    }
}
