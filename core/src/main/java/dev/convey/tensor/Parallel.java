package dev.convey.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Splits loops over the machine's cores: the convolutions' row shares, the split GEMMs ({@link Gemm}) and the
 * memory-bound kernels (im2col, pooling, activations, batch norm) all cut their range into one contiguous
 * chunk per core. The calling thread runs the first chunk; one worker thread per other core runs the rest.
 * A chunk goes to whoever claims it first: when the caller is done with its own, it runs every chunk whose
 * worker has not started yet. On a loaded machine (more runnable threads than cores) a worker may not be
 * scheduled for milliseconds, and waiting for it made ResNet50's 1x1 convolutions 5-10x slower than one
 * thread alone (load 20 on 2 cores); now such a loop costs at most what one thread takes. For measurements,
 * the system property {@value #STEAL_PROPERTY} = false turns this off (read at every loop).
 *
 * <p>Why not an {@code ExecutorService}: its idle workers park, and waking a parked thread took 60-85 us on
 * the build machine, per loop. A ResNet50 inference runs a few hundred such loops, so that alone cost 20-30 ms
 * of an 80 ms pass. Here an idle worker keeps polling its mailbox for {@link #SPIN_NANOS} before it parks, so
 * back-to-back loops (one layer after another) hand over in well under a microsecond, and a worker left idle
 * still gives its core back soon. While it polls it yields every {@link #YIELD_EVERY_NANOS}, so that it never
 * holds its core from another runnable thread for long ({@value #YIELD_PROPERTY} = false: spin hints only).
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

    static final String STEAL_PROPERTY = "convey.parallel.steal";
    static final String YIELD_PROPERTY = "convey.parallel.yield";
    /** {@value #YIELD_PROPERTY} as of the latest loop, for the workers' idle polling: see YIELD_EVERY_NANOS. */
    private static volatile boolean yieldWhileIdle = true;
    /**
     * How often a polling worker offers its core to another runnable thread ({@link Thread#yield}; it returns at
     * once when there is none). With only spin hints, a polling worker kept its core from whatever shared it:
     * the caller itself when the scheduler put both on one core (once, every loop after a pause longer than
     * the spin cost ~{@link #SPIN_NANOS} instead of ~10 us: DispatchProbe), or another process' spinning
     * threads. With ONNX Runtime's threads running in turn (AbProbe, 25 rounds, 2026-12-02), yielding every
     * 20 us made batch-1 EfficientNetB0 0.67x (quartiles 0.62-0.83), MobileNetV2 0.65x (0.60-0.93) and ResNet50
     * 0.85x (0.66-1.22) as long; alone (GraphProfile's whole model) 0.95-1.00x. Yielding at every poll instead
     * made the workers slow to pick up chunks (the caller ran 89 of EfficientNetB0's 93 handed chunks itself).
     */
    private static final long YIELD_EVERY_NANOS = 20_000;

    private static final Worker[] WORKERS = new Worker[THREADS - 1];
    /** One loop at a time uses the workers; a loop started meanwhile on another thread runs serially. */
    private static final ReentrantLock DISPATCH = new ReentrantLock();
    /** True on a thread while it runs a chunk: a loop nested inside a chunk runs serially on that thread. */
    private static final ThreadLocal<Boolean> IN_CHUNK = ThreadLocal.withInitial(() -> false);
    /** Loops handed to the workers, and chunks the caller ran itself instead: written under DISPATCH. */
    private static long handedLoops;
    private static long stolenChunks;

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
     * How many loops so far were handed to the workers (not run serially), and how many of their chunks the
     * caller ran itself because the worker had not started them: for probes counting a forward pass's loops.
     */
    public static long[] dispatchCounts() {
        DISPATCH.lock();
        try {
            return new long[] {handedLoops, stolenChunks};
        } finally {
            DISPATCH.unlock();
        }
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
            yieldWhileIdle = !"false".equals(System.getProperty(YIELD_PROPERTY));   // read by loops handed out only
            handedLoops++;
            Chunk[] handed = new Chunk[chunks];
            for (int c = 1; c < chunks; c++) {
                handed[c] = new Chunk(body, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                WORKERS[c - 1].submit(handed[c]);
            }
            Throwable failure = null;
            IN_CHUNK.set(true);
            try {
                body.run(0, (int) ((long) n / chunks));
                // A worker that has not started its chunk yet (descheduled on a loaded machine, or still waking)
                // would keep this thread waiting for the scheduler: run that chunk here instead.
                boolean steal = !"false".equals(System.getProperty(STEAL_PROPERTY));
                for (int c = 1; c < chunks && steal; c++) {
                    if (handed[c].claim(Chunk.BY_CALLER)) {
                        stolenChunks++;
                        handed[c].run();
                    }
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                IN_CHUNK.set(false);
            }
            // Wait for every chunk even after a failure: a worker may still be running the body.
            for (int c = 1; c < chunks; c++) {
                if (failure != null && handed[c].claim(Chunk.BY_CALLER)) {
                    continue;   // after a failure, a chunk not started yet is dropped
                }
                Throwable t = handed[c].awaitDone();
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
     * One chunk handed to a worker. Whoever claims it first runs it: the worker when it picks it up, or the
     * caller once its own chunk is done (so a worker the OS has not scheduled costs no waiting). Each chunk is
     * its own object, so a worker waking late can never run a stale range.
     */
    private static final class Chunk {

        static final int OPEN = 0;
        static final int BY_WORKER = 1;
        static final int BY_CALLER = 2;

        private final RangeBody body;
        private final int start;
        private final int end;
        private final AtomicInteger state = new AtomicInteger(OPEN);
        private volatile boolean done;
        private Throwable failure;

        Chunk(RangeBody body, int start, int end) {
            this.body = body;
            this.start = start;
            this.end = end;
        }

        /** True if this call claimed the chunk for {@code who}. */
        boolean claim(int who) {
            return state.compareAndSet(OPEN, who);
        }

        /** Runs the body (by the claimer), recording what it throws; then marks the chunk done. */
        void run() {
            try {
                body.run(start, end);
            } catch (Throwable t) {
                failure = t;
            }
            done = true;
        }

        /** Waits until the chunk has run (about as long as the caller's own chunk), then returns what it threw. */
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
    }

    /** A worker thread with a one-chunk mailbox: the caller posts a chunk (a volatile write), the worker claims it. */
    private static final class Worker extends Thread {

        private final AtomicReference<Chunk> mailbox = new AtomicReference<>();
        private volatile boolean parked;

        Worker(int index) {
            super("convey-worker-" + index);
            setDaemon(true);
        }

        void submit(Chunk chunk) {
            mailbox.set(chunk);
            // Either the worker sees the chunk before it parks, or this sees it parked (both fields volatile).
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            IN_CHUNK.set(true);
            while (true) {
                Chunk chunk = nextChunk();
                mailbox.compareAndSet(chunk, null);   // not a newer chunk posted meanwhile
                if (chunk.claim(Chunk.BY_WORKER)) {
                    chunk.run();
                }
            }
        }

        /** Polls the mailbox for SPIN_NANOS, then parks until a submit wakes it. */
        private Chunk nextChunk() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            long yieldAt = System.nanoTime() + YIELD_EVERY_NANOS;
            while (true) {
                Chunk chunk = mailbox.get();
                if (chunk != null) {
                    return chunk;
                }
                long now = System.nanoTime();
                if (now < spinUntil) {
                    if (yieldWhileIdle && now >= yieldAt) {
                        Thread.yield();
                        yieldAt = now + YIELD_EVERY_NANOS;
                    } else {
                        Thread.onSpinWait();
                    }
                    continue;
                }
                parked = true;
                if (mailbox.get() == null) {
                    LockSupport.park(this);
                }
                parked = false;
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
        }
    }
}
