package dev.convey.tensor;

import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Splits loops over the machine's cores: the convolutions' row shares, the split GEMMs ({@link Gemm}) and the
 * memory-bound kernels (im2col, pooling, activations, batch norm) all cut their range into one contiguous
 * chunk per core. The calling thread runs the first chunk; one worker thread per other core runs the rest.
 *
 * <p>Why not an {@code ExecutorService}: its idle workers park, and waking a parked thread took 60-85 us on
 * the build machine, per loop. A ResNet50 inference runs a few hundred such loops, so that alone cost 20-30 ms
 * of an 80 ms pass. Here an idle worker keeps polling its mailbox for {@link #SPIN_NANOS} before it parks, so
 * back-to-back loops (one layer after another) hand over in well under a microsecond, and a worker left idle
 * still gives its core back soon.
 */
public final class Parallel {

    /** A loop body over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** How long an idle worker polls for its next chunk before parking: longer than the gap between two layers. */
    private static final long SPIN_NANOS = 500_000;

    private static final Worker[] WORKERS = new Worker[THREADS - 1];
    /** One loop at a time uses the workers; a loop started meanwhile on another thread runs serially. */
    private static final ReentrantLock DISPATCH = new ReentrantLock();
    /** True on a thread while it runs a chunk: a loop nested inside a chunk runs serially on that thread. */
    private static final ThreadLocal<Boolean> IN_CHUNK = ThreadLocal.withInitial(() -> false);

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
    }

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
     * inside a chunk (a parallel loop nested in another), or while another thread's loop holds the workers,
     * runs serially: the cores are busy already.
     */
    public static void range(int n, int minPerChunk, RangeBody body) {
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, minPerChunk)));
        if (chunks <= 1 || IN_CHUNK.get() || !DISPATCH.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            for (int c = 1; c < chunks; c++) {
                WORKERS[c - 1].submit(body, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            }
            Throwable failure = null;
            IN_CHUNK.set(true);
            try {
                body.run(0, (int) ((long) n / chunks));
            } catch (Throwable t) {
                failure = t;
            } finally {
                IN_CHUNK.set(false);
            }
            // Wait for every worker even after a failure: they are still running the body.
            for (int c = 1; c < chunks; c++) {
                Throwable t = WORKERS[c - 1].awaitDone();
                failure = failure == null ? t : failure;
            }
            if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
            if (failure instanceof Error) {
                throw (Error) failure;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
        } finally {
            DISPATCH.unlock();
        }
    }

    /**
     * A worker thread with a one-chunk mailbox. The caller writes the range, then the body (a volatile write
     * that publishes the range); the worker runs it, then sets {@code done} (publishing any failure).
     */
    private static final class Worker extends Thread {

        private volatile RangeBody body;
        private volatile boolean done = true;
        private volatile boolean parked;
        private int start;
        private int end;
        private Throwable failure;

        Worker(int index) {
            super("convey-worker-" + index);
            setDaemon(true);
        }

        void submit(RangeBody chunk, int from, int to) {
            start = from;
            end = to;
            failure = null;
            done = false;
            body = chunk;
            // Either the worker sees the body before it parks, or this sees it parked (both fields volatile).
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        /** Waits for the chunk (about as long as the caller's own), then returns what it threw, or null. */
        Throwable awaitDone() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (!done) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            return failure;
        }

        @Override
        public void run() {
            IN_CHUNK.set(true);
            while (true) {
                RangeBody chunk = nextChunk();
                try {
                    chunk.run(start, end);
                } catch (Throwable t) {
                    failure = t;
                }
                body = null;
                done = true;
            }
        }

        /** Polls the mailbox for SPIN_NANOS, then parks until a submit wakes it. */
        private RangeBody nextChunk() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                RangeBody chunk = body;
                if (chunk != null) {
                    return chunk;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (body == null) {
                    LockSupport.park(this);
                }
                parked = false;
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
        }
    }
}
