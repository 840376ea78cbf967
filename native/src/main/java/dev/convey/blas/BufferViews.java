package dev.convey.blas;

import java.lang.ref.WeakReference;
import java.nio.FloatBuffer;

/**
 * Views of the GEMM operands' buffers, for JavaCPP: it passes a direct buffer argument as its address plus its
 * position, so a view positioned at the offset hands OpenBLAS the address of that element. Each thread keeps
 * its views in a small table per operand (A, B, C), direct-mapped by the buffer's identity, so that a product
 * allocates nothing once a model's buffers have been seen (a FloatPointer per operand and call came to most
 * of an inference's garbage). The table holds buffers and views weakly: it never keeps a buffer's memory
 * alive, and a view the collector took is made again.
 */
final class BufferViews {

    private static final int TABLE_SIZE = 1024;

    private record View(WeakReference<FloatBuffer> source, WeakReference<FloatBuffer> view) {
    }

    private static final ThreadLocal<View[][]> VIEWS = ThreadLocal.withInitial(() -> new View[3][TABLE_SIZE]);

    private BufferViews() {
    }

    /** {@code buffer} as seen from float {@code offset} on, through operand {@code operand}'s table (0 A, 1 B, 2 C). */
    static FloatBuffer view(int operand, FloatBuffer buffer, long offset) {
        View[] table = VIEWS.get()[operand];
        int i = System.identityHashCode(buffer) & (TABLE_SIZE - 1);
        View entry = table[i];
        FloatBuffer view = entry != null && entry.source().get() == buffer ? entry.view().get() : null;
        if (view == null) {
            view = buffer.duplicate().clear();
            table[i] = new View(new WeakReference<>(buffer), new WeakReference<>(view));
        }
        return view.position(Math.toIntExact(offset));
    }
}
