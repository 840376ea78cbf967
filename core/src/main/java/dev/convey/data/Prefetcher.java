package dev.convey.data;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prepares the next batches of a {@link BatchSequence} on background threads while the current one trains
 * (Keras' {@code workers} / {@code max_queue_size}). {@code get(i)} returns batch {@code i} (waiting only if it is
 * not ready yet) and queues batches {@code i + 1 .. i + depth}; {@link #onEpochEnd()} already starts the next
 * epoch's first batches. The batches are the source's own: identical to calling it directly, since the
 * sequences here depend only on (seed, epoch, index).
 *
 * <p>At most {@code depth} batches wait in memory. Worker threads are daemons (they never keep the JVM alive);
 * an exception thrown while preparing a batch is rethrown by the {@code get} that asks for it. Call
 * {@link #close()} to stop the workers.
 */
public final class Prefetcher implements BatchSequence, AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final BatchSequence source;
    private final int depth;
    private final ExecutorService workers;
    private final Map<Integer, Future<Batch>> pending = new HashMap<>();
    private boolean closed;

    /** Prefetch {@code depth} batches ahead with {@code threads} worker threads. */
    public Prefetcher(BatchSequence source, int depth, int threads) {
        if (depth < 1 || threads < 1) {
            throw new IllegalArgumentException("Prefetcher needs depth >= 1 and threads >= 1, got depth " + depth
                    + ", threads " + threads);
        }
        this.source = source;
        this.depth = depth;
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "convey-data-loader-" + pool + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduleFrom(0);
    }

    /** Two batches ahead on two threads: enough to hide decoding behind a training step on this machine. */
    public Prefetcher(BatchSequence source) {
        this(source, 2, 2);
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public int sampleCount() {
        return source.sampleCount();
    }

    @Override
    public synchronized Batch get(int index) {
        if (closed) {
            throw new IllegalStateException("Prefetcher is closed");
        }
        BatchSequence.checkIndex(index, size(), "Prefetcher");
        Future<Batch> batch = pending.remove(index);
        if (batch == null) {
            batch = workers.submit(() -> source.get(index));
        }
        // Requests before this index will not come back in this epoch: drop them.
        pending.entrySet().removeIf(e -> e.getKey() < index && e.getValue().cancel(false));
        scheduleFrom(index + 1);
        return await(batch, index);
    }

    @Override
    public synchronized void onEpochEnd() {
        // The source must not change its order while a worker is still reading the old one.
        for (Map.Entry<Integer, Future<Batch>> e : pending.entrySet()) {
            if (!e.getValue().cancel(false)) {
                awaitQuietly(e.getValue());
            }
        }
        pending.clear();
        source.onEpochEnd();
        if (!closed) {
            scheduleFrom(0);
        }
    }

    /** Stops the worker threads; batches being prepared are abandoned. */
    @Override
    public synchronized void close() {
        closed = true;
        pending.values().forEach(f -> f.cancel(true));
        pending.clear();
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleFrom(int first) {
        for (int i = first; i < Math.min(first + depth, size()); i++) {
            int index = i;
            pending.computeIfAbsent(index, k -> workers.submit(() -> source.get(index)));
        }
    }

    private Batch await(Future<Batch> batch, int index) {
        try {
            return batch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for batch " + index, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("Preparing batch " + index + " of " + size() + " failed: "
                    + cause.getMessage(), cause);
        }
    }

    private static void awaitQuietly(Future<Batch> batch) {
        try {
            batch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            // Its batch is no longer wanted; only its completion mattered.
        }
    }
}
