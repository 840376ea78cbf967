package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.function.Supplier;

import dev.convey.tensor.Gemm;
import dev.convey.tensor.PackedWeights;

/**
 * A convolution's weights packed for {@link Gemm#sgemmPackedOnThisThread}, kept for one version of the kernel
 * {@link Parameter}: inference packs once and reuses the panels on every call; a training step changes the
 * version, and the next forward pass packs again (a copy of k n floats against m k n multiply-adds).
 */
final class PackedKernel {

    private PackedWeights packed;
    private Parameter packedFor;
    private long version;
    private int rows;
    private int columns;

    /**
     * The {@code count} k x n matrices {@code source} gives (from float 0 on), packed for the current version of
     * {@code kernel}; null when the packed path is off ({@link Gemm#packedEnabled}), so the caller uses OpenBLAS.
     * Call it before the work is split over the threads.
     */
    PackedWeights of(Parameter kernel, int count, int k, int n, Supplier<FloatBuffer> source) {
        if (!Gemm.packedEnabled()) {
            return null;
        }
        if (packed == null || packedFor != kernel || version != kernel.version() || packed.count() != count
                || rows != k || columns != n) {
            // a new version of the same kernel is packed into the old panels (a training step allocates nothing)
            PackedWeights previous = packedFor == kernel ? packed : null;
            packed = null;   // else the old panels can go before the new ones are allocated
            packed = Gemm.pack(previous, count, k, n, source.get());
            packedFor = kernel;
            version = kernel.version();
            rows = k;
            columns = n;
        }
        return packed;
    }
}
