package dev.convey.layers;

import java.nio.FloatBuffer;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Workspace;

/**
 * im2col without the patch matrix: the patch rows of one output row read from the (zero-padded) image itself, as
 * the packed GEMM's A with rows of runs ({@link dev.convey.tensor.Gemm#sgemmPackedRunsOnThisThread}). With the
 * kernel rows undilated, the patch row of output pixel (n, oh, ow) (see {@link Im2col}) is kh runs of kw C
 * contiguous floats of the padded image P (rows Hp, columns Wp, padTop and padLeft of zeros before the image):
 * <pre>
 *   patches[(n, oh, ow), (i * kw + j) * C + c] = P[n, oh sh + i dh, ow sw + j, c]
 *     = A[ow][p] with A[ow][p] = P[rowStart(n, oh) + ow lda + (p / run) runStride + p % run]
 *       lda = sw C,   run = kw C,   runStride = dh Wp C,   rowStart(n, oh) = ((n Hp + oh sh) Wp) C
 * </pre>
 * So one output row (outW pixels) is one product, and no patch is copied: a 7x7 stride-2 convolution of an RGB
 * image reads 147 floats per output pixel from 3 KB of image rows instead of writing and reading them (7.4 MB at
 * 224 x 224). Where no padding is read (valid windows inside the image), P is the input itself; else P is a
 * zero-bordered copy of it, (Hp Wp C floats per image, about the input's size) in the calling thread's
 * {@link Workspace}.
 */
final class ImplicitPatches {

    private final Window2D g;
    private final FloatBuffer padded;
    private final int paddedHeight;
    private final int paddedWidth;

    private ImplicitPatches(Window2D g, FloatBuffer padded, int paddedHeight, int paddedWidth) {
        this.g = g;
        this.padded = padded;
        this.paddedHeight = paddedHeight;
        this.paddedWidth = paddedWidth;
    }

    /** Whether geometry g's patch rows are runs of the image: undilated kernel rows. */
    static boolean applies(Window2D g) {
        return g.dilationW() == 1;
    }

    /**
     * The patch rows of input x (NHWC, geometry g), with x itself as P where the windows read no padding, else
     * a zero-bordered copy of x (built here, on the cores, before the caller splits its products).
     */
    static ImplicitPatches of(Window2D g, FloatBuffer x) {
        // P holds exactly the rows and columns the windows read
        int hp = (g.outH() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
        int wp = (g.outW() - 1) * g.strideW() + g.kernelW();
        if (g.padTop() == 0 && g.padLeft() == 0 && hp <= g.height() && wp <= g.width()) {
            return new ImplicitPatches(g, x, g.height(), g.width());
        }
        int c = g.channels();
        FloatBuffer p = Workspace.floats(Workspace.Slot.PADDED_INPUT, (long) g.batch() * hp * wp * c);
        Parallel.range(g.batch() * hp, 16, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                padRow(g, x, r / hp, r % hp - g.padTop(), wp, p, (long) r * wp * c);
            }
        });
        return new ImplicitPatches(g, p, hp, wp);
    }

    /** P's row at {@code at}: wp pixels of input row ih of image n from column -padLeft on, zero outside the image. */
    private static void padRow(Window2D g, FloatBuffer x, int n, int ih, int wp, FloatBuffer p, long at) {
        int c = g.channels();
        int dst = Math.toIntExact(at);
        if (ih < 0 || ih >= g.height()) {
            Im2col.zero(p, dst, wp * c);
            return;
        }
        int first = Math.min(wp, g.padLeft());                        // P's first column inside the image
        int last = Math.max(first, Math.min(wp, g.padLeft() + g.width()));
        Im2col.zero(p, dst, first * c);
        if (last > first) {
            p.put(dst + first * c, x, g.inputOffset(n, ih, first - g.padLeft()), (last - first) * c);
        }
        Im2col.zero(p, dst + last * c, (wp - last) * c);
    }

    /** P: the buffer the rows are read from. */
    FloatBuffer buffer() {
        return padded;
    }

    /** Float offset in P of output row (n, oh)'s first patch row (tap (0, 0) of pixel (n, oh, 0)). */
    long rowStart(int n, int oh) {
        return ((long) n * paddedHeight + (long) oh * g.strideH()) * paddedWidth * g.channels();
    }

    /** A's row stride: the next output pixel's window, strideW pixels on. */
    int lda() {
        return g.strideW() * g.channels();
    }

    /** The run of one kernel row: kw pixels of C channels. */
    int run() {
        return g.kernelW() * g.channels();
    }

    /** From one kernel row's run to the next: dilationH rows of P. */
    long runStride() {
        return (long) g.dilationH() * paddedWidth * g.channels();
    }
}
