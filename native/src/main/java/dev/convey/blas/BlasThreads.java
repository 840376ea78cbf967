package dev.convey.blas;

import org.bytedeco.openblas.presets.openblas_nolapack;

/**
 * OpenBLAS' thread count, reached through {@link Blas} (which loads the library first). Convey splits its
 * products over the cores itself ({@code dev.convey.tensor.Gemm}), so inside Convey's parallel loops OpenBLAS
 * must run on the calling thread only: {@link #singleThreaded}.
 */
final class BlasThreads {

    private static final Object SWITCH = new Object();
    private static int singleThreadedRegions;
    /** > 0 while OpenBLAS runs on one thread after a region: the count to restore on the next GEMM outside one. */
    private static volatile int deferredThreads;
    /** How many times OpenBLAS' thread count was changed (under SWITCH): for probes. */
    private static long switches;

    private BlasThreads() {
    }

    /**
     * Runs {@code body} with OpenBLAS on one thread, so that the body may call {@link Blas#sgemm} from several
     * Java threads at once, each call computed entirely on its calling thread (OpenBLAS takes separate packing
     * buffers for concurrent calls). This pays off when the caller has already split the work, for example a
     * convolution whose threads each own a share of the output rows: no OpenBLAS worker then spins while Java
     * code runs between two GEMM calls.
     *
     * <p>The thread count is global to OpenBLAS, and changing it costs ~0.3-0.7 ms (OpenBLAS re-sizes its
     * per-thread buffers), as much as a whole small convolution. So the count is not put back when the body
     * returns: the first GEMM called outside such a region restores it. A network whose convolutions all run
     * this way switches twice per forward pass instead of twice per layer. Results never depend on the count.
     */
    static void singleThreaded(Runnable body) {
        synchronized (SWITCH) {
            singleThreadedRegions++;
            if (deferredThreads == 0 && openBlasThreads() != 1) {
                deferredThreads = openBlasThreads();
                openblas_nolapack.blas_set_num_threads(1);
                switches++;
            }
        }
        try {
            body.run();
        } finally {
            synchronized (SWITCH) {
                singleThreadedRegions--;
            }
        }
    }

    /** Before a GEMM outside every {@link #singleThreaded} region: gives OpenBLAS its configured threads back. */
    static void beforeCall() {
        if (deferredThreads == 0) {
            return;
        }
        synchronized (SWITCH) {
            if (deferredThreads > 0 && singleThreadedRegions == 0) {
                openblas_nolapack.blas_set_num_threads(deferredThreads);
                deferredThreads = 0;
                switches++;
            }
        }
    }

    /** How many times so far OpenBLAS' thread count was switched between a region and a call outside one. */
    static long switches() {
        synchronized (SWITCH) {
            return switches;
        }
    }

    /** Sets how many threads OpenBLAS uses for each GEMM (it defaults to the number of cores). */
    static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("OpenBLAS thread count must be at least 1, got " + threads);
        }
        synchronized (SWITCH) {
            deferredThreads = 0;
            openblas_nolapack.blas_set_num_threads(threads);
        }
    }

    /** The number of threads OpenBLAS uses for a GEMM called outside a {@link #singleThreaded} region. */
    static int threads() {
        int deferred = deferredThreads;
        return deferred > 0 ? deferred : openBlasThreads();
    }

    /** OpenBLAS' current setting. Until it is set the presets report -1: OpenBLAS' default, one thread per core. */
    private static int openBlasThreads() {
        int threads = openblas_nolapack.blas_get_num_threads();
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
