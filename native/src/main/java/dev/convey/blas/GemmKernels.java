package dev.convey.blas;

import java.nio.FloatBuffer;

import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP bridge to Convey's own GEMM kernels ({@code native/src/main/cpp/convey_gemm.h}, built into
 * {@code libjniGemmKernels.so} by the javacpp Maven plugin). Unchecked: only {@link PackedMatrix} and
 * {@link PackedGemm} call it, after checking every size and offset. A buffer argument is passed as its address
 * plus its position (see {@link BufferViews}).
 */
@Platform(include = "convey_gemm.h")
final class GemmKernels {

    static final Throwable LOAD_FAILURE = NativeLibraryError.loadFailure(GemmKernels.class);

    private GemmKernels() {
    }

    static native int convey_gemm_best_isa();

    static native int convey_gemm_panel_width(int isa);

    static native void convey_gemm_pack(int isa, int k, int n, @Const FloatBuffer b, int ldb, FloatBuffer packed);

    static native void convey_gemm_packed(int isa, int m, int cols, int k, @Const FloatBuffer a, int lda,
                                          @Const FloatBuffer panels, float beta, FloatBuffer c, int ldc);

    static native void convey_gemm_packed_runs(int isa, int m, int cols, int k, @Const FloatBuffer a, int lda, int seg,
                                               long segStride, @Const FloatBuffer panels, float beta, FloatBuffer c,
                                               int ldc);
}
