package dev.convey.tensor;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The free memory of a model's forward passes: direct buffers of layer outputs that no layer will read again in
 * the pass, waiting to become the outputs of the next layers. With it, an inference pass holds at once only the
 * outputs still to be read (for EfficientNetB7 at 600 x 600, a few of its 800 layers' outputs) instead of every
 * layer's.
 *
 * <p>The model's executor releases a value after its last reader ran ({@link #release}); {@link Tensor#reuse},
 * called by a layer whose own buffer was released (or which has none yet), takes the smallest free buffer that is
 * large enough ({@link #take}), or allocates. Each model's executor owns a pool; during a forward pass
 * ({@link #join}) it is the calling thread's <em>active</em> pool, and a model nested in another one runs inside
 * its outer model's pass and shares the outer pool.
 *
 * <p>Bounded: at the end of each pass the pool drops the buffers that sat in it, unused, for two whole passes
 * (the garbage collector frees them), so that it does not keep the buffers of every batch size it has seen;
 * two, not one, so that the smaller last batch of a {@code predict} does not cost the full batches their
 * buffers. In steady state (same batch shape) each pass takes back the buffers the previous one released and
 * allocates nothing.
 *
 * <p>With assertions on (the tests), released memory is filled with NaN, so a layer that reads its output buffer
 * before writing every element produces NaN instead of silently reading another layer's values.
 */
public final class BufferPool {

    /** The pass running on each thread, if any. */
    private static final ThreadLocal<Pass> ACTIVE = new ThreadLocal<>();
    /** A free buffer is given to a request of at least 1 / MAX_WASTE of its size (see {@link #take}). */
    private static final int MAX_WASTE = 8;
    private static final float[] NAN_TILE = new float[Scratch.FLOATS];

    static {
        Arrays.fill(NAN_TILE, Float.NaN);
    }

    /** A free buffer and the number of the pass that released it. */
    private record Free(FloatBuffer buffer, long releasedInPass) {
    }

    private final List<Free> free = new ArrayList<>();
    private long pass;
    private long allocations;

    /**
     * One forward pass of a model, with its pool and whether it releases values; {@link #close} ends it. A
     * nested model's pass joins its outer model's: same pool, same choice, and closing it does nothing.
     */
    public static final class Pass implements AutoCloseable {
        private final BufferPool pool;
        private final boolean releases;
        private final boolean outermost;

        private Pass(BufferPool pool, boolean releases, boolean outermost) {
            this.pool = pool;
            this.releases = releases;
            this.outermost = outermost;
        }

        /** The pool this pass takes buffers from and releases values into. */
        public BufferPool pool() {
            return pool;
        }

        /**
         * Whether values are released after their last reader: the outermost pass' choice (an inference pass does,
         * a training pass does not, since backward reads them), so that a nested model released nothing inside a
         * training step even where it runs in inference mode (a base applied with {@code training=false}).
         */
        public boolean releases() {
            return releases;
        }

        /** Ends the outermost pass: the pool drops what it did not use, and no pass is active any more. */
        @Override
        public void close() {
            if (outermost) {
                pool.endPass();
                ACTIVE.remove();
            }
        }
    }

    /**
     * Starts a pass on the calling thread with {@code own} as its pool, releasing values if {@code release}, or
     * joins the pass already running there (a nested model's forward inside its outer model's).
     */
    public static Pass join(BufferPool own, boolean release) {
        Pass active = ACTIVE.get();
        if (active != null) {
            return new Pass(active.pool, active.releases, false);
        }
        Pass pass = new Pass(own, release, true);
        ACTIVE.set(pass);
        return pass;
    }

    /** A buffer of at least {@code floats} floats from the pool of the calling thread's pass, or a new one. */
    static FloatBuffer takeOrAllocate(int floats) {
        Pass active = ACTIVE.get();
        return active != null ? active.pool.take(floats) : Tensor.allocate(floats);
    }

    /**
     * The smallest free buffer holding at least {@code floats} floats (among equals, the last released) and at
     * most {@link #MAX_WASTE} times as many, or a new one. Its contents are undefined. The bound keeps large
     * buffers for large outputs: without it a squeeze-and-excitation vector of 256 floats would hold a feature map
     * of a million, and the next feature map would allocate (EfficientNetB0, batch 8: 306 MB of buffers instead
     * of 122 MB, for 82 MB of values alive at once at most).
     */
    synchronized FloatBuffer take(int floats) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            int capacity = free.get(i).buffer.capacity();
            if (capacity >= floats && capacity <= MAX_WASTE * (long) floats
                    && (best < 0 || capacity <= free.get(best).buffer.capacity())) {
                best = i;
            }
        }
        if (best < 0) {
            allocations++;
            return Tensor.allocate(floats);
        }
        return free.remove(best).buffer;
    }

    /**
     * Releases the memory of {@code value}'s root if that is a transient buffer (made by {@link Tensor#reuse})
     * not released yet: the root and all its views become released, and the memory is free for the next
     * {@link #take}. Returns whether it did. The caller guarantees that nothing reads the tensor again.
     */
    public synchronized boolean release(Tensor value) {
        Tensor root = value.root();
        if (!root.isTransientRoot() || root.isReleased()) {
            return false;
        }
        FloatBuffer memory = root.giveUpMemory();
        memory.clear();
        assert poison(memory);   // with assertions on (the tests) only
        free.add(new Free(memory, pass));
        return true;
    }

    /** Fills the memory with NaN; returns true (for {@code assert}). */
    private static boolean poison(FloatBuffer memory) {
        for (int i = 0; i < memory.capacity(); i += NAN_TILE.length) {
            memory.put(i, NAN_TILE, 0, Math.min(NAN_TILE.length, memory.capacity() - i));
        }
        return true;
    }

    /** Drops the buffers released before the previous pass and not taken since; the next pass begins. */
    private synchronized void endPass() {
        free.removeIf(f -> f.releasedInPass < pass - 1);
        pass++;
    }

    /** How many buffers this pool has allocated because none of its free ones was large enough (for tests). */
    public synchronized long allocations() {
        return allocations;
    }

    /** The free buffers' total size in floats (for tests). */
    public synchronized long freeFloats() {
        long total = 0;
        for (Free f : free) {
            total += f.buffer.capacity();
        }
        return total;
    }
}
