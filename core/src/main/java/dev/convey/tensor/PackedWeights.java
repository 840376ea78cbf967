package dev.convey.tensor;

import java.nio.FloatBuffer;

import dev.convey.blas.PackedGemm;
import dev.convey.blas.PackedMatrix;

/**
 * Weights packed once for {@link Gemm#sgemmPackedOnThisThread}: {@code count} k x n row-major matrices stored one
 * after the other (a convolution's kernel viewed as (kh kw in) x out is one; Winograd's transformed kernel U is
 * one per point), each packed into the column panels of Convey's own GEMM kernel (see
 * {@code dev.convey.blas.PackedMatrix}). The packed copy is as large as the weights; a new version of the weights
 * is packed into the same memory ({@link #pack(PackedWeights, int, int, int, FloatBuffer)}).
 */
public final class PackedWeights {

    private final PackedMatrix[] matrices;

    private PackedWeights(PackedMatrix[] matrices) {
        this.matrices = matrices;
    }

    /** The {@code count} k x n matrices of {@code source} from float 0 on, matrix i at i k n, packed. */
    static PackedWeights pack(int count, int k, int n, FloatBuffer source) {
        PackedMatrix[] matrices = new PackedMatrix[count];
        for (int i = 0; i < count; i++) {
            matrices[i] = PackedMatrix.pack(k, n, source, (long) i * k * n, n);
        }
        return new PackedWeights(matrices);
    }

    /**
     * As {@link #pack}, into {@code previous}' panels when it holds {@code count} k x n matrices for the kernel set
     * new matrices are packed for (else new ones): repacking a training step's weights allocates nothing.
     */
    static PackedWeights pack(PackedWeights previous, int count, int k, int n, FloatBuffer source) {
        if (previous == null || count == 0 || previous.count() != count || previous.matrices[0].rows() != k
                || previous.matrices[0].columns() != n || previous.matrices[0].isa() != PackedGemm.isa()) {
            return pack(count, k, n, source);
        }
        for (int i = 0; i < count; i++) {
            previous.matrices[i].repack(source, (long) i * k * n, n);
        }
        return previous;
    }

    /** The matrices. */
    public int count() {
        return matrices.length;
    }

    /** The columns per panel: a product over a column range must start at a multiple of it. */
    public int panelWidth() {
        return matrices[0].panelWidth();
    }

    PackedMatrix matrix(int i) {
        return matrices[i];
    }
}
