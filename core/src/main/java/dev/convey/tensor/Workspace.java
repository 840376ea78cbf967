package dev.convey.tensor;

import java.nio.FloatBuffer;

/**
 * Per-thread direct buffers for the transient matrices of the convolution kernels: im2col's block of patches,
 * Winograd's transformed tiles V and their products M, and its transformed kernel U while it is packed. A kernel
 * needs one only while it runs, so one buffer per thread and purpose, shared by every layer of every model,
 * replaces one per layer (and per thread) kept for the model's life: ResNet50's 53 convolutions each held up to
 * 4 MB of them.
 *
 * <p>Like {@link Scratch}, but direct (the buffers are GEMM operands) and sized for whole blocks, not L1 tiles.
 * A buffer is the calling thread's until that thread asks for the same {@link Slot} again; meanwhile other threads
 * may read and write it on the caller's behalf (a product split over the cores). Contents are undefined when
 * handed out. A buffer grows to the largest request its thread has made, never shrinks: the kernels bound their
 * blocks (a few MB).
 */
public final class Workspace {

    /** What a buffer is for: a kernel uses each at most once at a time. */
    public enum Slot {
        /** im2col's patch matrix block (forward, dW and dX). */
        PATCHES,
        /** Winograd's transformed input tiles V. */
        TILES,
        /** Winograd's products M = V U. */
        PRODUCTS,
        /** Winograd's transformed kernel U, as the source of its packing. */
        KERNEL_TRANSFORM,
        /** The zero-padded input that implicit im2col reads its patch rows from ({@code ImplicitPatches}). */
        PADDED_INPUT
    }

    private static final ThreadLocal<FloatBuffer[]> BUFFERS =
            ThreadLocal.withInitial(() -> new FloatBuffer[Slot.values().length]);

    private Workspace() {
    }

    /** The calling thread's buffer for {@code slot}, at least {@code floats} long. */
    public static FloatBuffer floats(Slot slot, long floats) {
        FloatBuffer[] buffers = BUFFERS.get();
        int i = slot.ordinal();
        if (buffers[i] == null || buffers[i].capacity() < floats) {
            buffers[i] = null;   // the old buffer can go before the larger one is allocated
            buffers[i] = Tensor.allocate(Math.toIntExact(floats));
        }
        return buffers[i];
    }
}
