package dev.convey.blas;

import java.nio.FloatBuffer;

import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP bridge to Convey's fused epilogue ({@code native/src/main/cpp/convey_epilogue.h}, built into
 * {@code libjniEpilogueKernels.so} by the javacpp Maven plugin). Unchecked: only {@link NativeEpilogue} calls it,
 * after checking every size and offset. A buffer argument is passed as its address plus its position (see
 * {@link BufferViews}); the array overload pins its arrays (JNI critical region: no copy) for the call.
 */
@Platform(include = "convey_epilogue.h")
final class EpilogueKernels {

    static final Throwable LOAD_FAILURE = NativeLibraryError.loadFailure(EpilogueKernels.class);

    private EpilogueKernels() {
    }

    static native void convey_epilogue(int isa, int activation, int rows, int cols, @Const FloatBuffer x, long ldx,
                                       FloatBuffer y, long ldy, @Const FloatBuffer bias, @Const FloatBuffer scale,
                                       @Const FloatBuffer shift, @Const FloatBuffer residual, long ldr);

    @CriticalRegion
    static native void convey_epilogue(int isa, int activation, int rows, int cols, @Const float[] x, long ldx,
                                       float[] y, long ldy, @Const float[] bias, @Const float[] scale,
                                       @Const float[] shift, @Const float[] residual, long ldr);
}
