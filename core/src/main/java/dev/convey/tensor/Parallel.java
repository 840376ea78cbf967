package dev.convey.tensor;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits loops over the machine's cores. The non-GEMM kernels (im2col, pooling, activations, batch norm) are
 * memory-bound loops over independent rows; cutting the row range into one contiguous chunk per core keeps
 * both cores busy while OpenBLAS is not running.
 */
public final class Parallel {

    /** A loop body over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(Math.max(1, THREADS - 1), r -> {
        Thread t = new Thread(r, "convey-worker");
        t.setDaemon(true);
        return t;
    });

    /** True on a thread while it runs a chunk: a loop nested inside a chunk runs serially on that thread. */
    private static final ThreadLocal<Boolean> IN_CHUNK = ThreadLocal.withInitial(() -> false);

    private Parallel() {
    }

    /** The number of chunks work is split into. */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in up to {@link #threads()} chunks; the calling thread takes the
     * first chunk. Loops with fewer than {@code minPerChunk} items per chunk are not worth a thread switch and
     * run on the caller. {@code body} must only write to places indexed by its own range. A call made from
     * inside a chunk (a parallel loop nested in another) runs serially: both cores are busy already.
     */
    public static void range(int n, int minPerChunk, RangeBody body) {
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, minPerChunk)));
        if (chunks <= 1 || IN_CHUNK.get()) {
            body.run(0, n);
            return;
        }
        Future<?>[] pending = new Future<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            pending[c - 1] = WORKERS.submit(() -> runChunk(body, start, end));
        }
        runChunk(body, 0, (int) ((long) n / chunks));
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for a parallel loop", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    private static void runChunk(RangeBody body, int start, int end) {
        IN_CHUNK.set(true);
        try {
            body.run(start, end);
        } finally {
            IN_CHUNK.set(false);
        }
    }
}
