package dev.convey.blas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.lang.ref.Reference;

/**
 * The B operand of {@link PackedGemm}, a k x n matrix (a convolution's weights), packed once into the column
 * panels its micro-kernel reads: panels of {@link #panelWidth()} = NR columns, each k rows of NR contiguous
 * floats, the last panel zero-padded,
 * <pre>  packed[(j k + p) NR + q] = B[p][j NR + q]</pre>
 * NR belongs to the kernel set the matrix was packed for (32 for AVX-512, 16 for AVX2 and portable C), which
 * {@link PackedGemm} then uses for every product with it. The panels live in a 64-byte-aligned direct buffer
 * (aligned vector loads); its native memory is freed by the JDK's Cleaner once the matrix is unreachable.
 */
public final class PackedMatrix {

    private final PackedGemm.Isa isa;
    private final int k;
    private final int n;
    private final FloatBuffer panels;

    private PackedMatrix(PackedGemm.Isa isa, int k, int n, FloatBuffer panels) {
        this.isa = isa;
        this.k = k;
        this.n = n;
        this.panels = panels;
    }

    /** B (k x n, row-major, row stride ldb, from float offB of b) packed for the kernel set {@link PackedGemm#isa()}. */
    public static PackedMatrix pack(int k, int n, FloatBuffer b, long offB, int ldb) {
        return pack(PackedGemm.isa(), k, n, b, offB, ldb);
    }

    /** As {@link #pack(int, int, FloatBuffer, long, int)} for a given kernel set (tests force each one). */
    static PackedMatrix pack(PackedGemm.Isa isa, int k, int n, FloatBuffer b, long offB, int ldb) {
        PackedGemm.requireLoaded();
        if (k < 0 || n < 0) {
            throw new IllegalArgumentException("a packed matrix needs non-negative sizes, got k=" + k + " n=" + n);
        }
        GemmChecks.operand("B", b, offB, ldb, k, n);
        Blas.requireDirect("B", b);
        int nr = isa.panelWidth();
        long floats = (long) (n + nr - 1) / nr * nr * k;
        if (floats > (Integer.MAX_VALUE - 64) / Float.BYTES) {
            throw new IllegalArgumentException("a packed " + k + " x " + n + " matrix would take " + floats
                    + " floats, more than one direct buffer holds");
        }
        FloatBuffer panels = ByteBuffer.allocateDirect((int) floats * Float.BYTES + 64).alignedSlice(64)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        PackedMatrix packed = new PackedMatrix(isa, k, n, panels);
        packed.fill(b, offB, ldb);
        return packed;
    }

    /**
     * B (k x n, as for {@link #pack(int, int, FloatBuffer, long, int)}) packed again into these panels, for this
     * matrix' kernel set: a training step's new weights, without new memory (direct memory goes back to the
     * system only when the garbage collector runs, so packing anew at every step would let it pile up).
     */
    public void repack(FloatBuffer b, long offB, int ldb) {
        GemmChecks.operand("B", b, offB, ldb, k, n);
        Blas.requireDirect("B", b);
        fill(b, offB, ldb);
    }

    private void fill(FloatBuffer b, long offB, int ldb) {
        if (k > 0 && n > 0) {
            try {
                GemmKernels.convey_gemm_pack(isa.code, k, n, BufferViews.view(1, b, offB), ldb, panels);
            } finally {
                Reference.reachabilityFence(b);
            }
        }
    }

    /** k, the rows of B (the inner dimension of the product). */
    public int rows() {
        return k;
    }

    /** n, the columns of B. */
    public int columns() {
        return n;
    }

    /** NR, the columns per panel: a product may start at a multiple of it ({@link PackedGemm#sgemm}). */
    public int panelWidth() {
        return isa.panelWidth();
    }

    /** The kernel set the panels are laid out for. */
    public PackedGemm.Isa isa() {
        return isa;
    }

    FloatBuffer panels() {
        return panels;
    }

    /** The packed floats (for tests): panel j, row p, column q at (j k + p) NR + q. */
    float packed(long index) {
        return panels.get(Math.toIntExact(index));
    }

    @Override
    public String toString() {
        return "PackedMatrix[" + k + " x " + n + ", " + isa + " panels of " + isa.panelWidth() + "]";
    }
}
