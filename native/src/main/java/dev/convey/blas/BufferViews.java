package dev.convey.blas;

import java.lang.ref.WeakReference;
import java.nio.FloatBuffer;

/**
 * Views of the GEMM operands' buffers, for JavaCPP: it passes a direct buffer argument as its address plus its
 * position, so a view positioned at the offset hands OpenBLAS the address of that element. Each thread keeps
 * its views in a small table per operand (A, B, C; or an epilogue's), direct-mapped by the buffer's identity, so that a product
 * allocates nothing once a model's buffers have been seen (a FloatPointer per operand and call came to most
 * of an inference's garbage). The table holds buffers and views weakly: it never keeps a buffer's memory
 * alive, and a view the collector took is made again.
 */
final class BufferViews {

    private static final int TABLE_SIZE = 1024;
    /** Operand tables: A, B, C of a product (0, 1, 2); x, y, residual, bias, scale, shift of an epilogue (0 to 5). */
    private static final int OPERANDS = 6;

    private record View(WeakReference<FloatBuffer> source, WeakReference<FloatBuffer> view) {
    }

    private static final ThreadLocal<View[][]> VIEWS = ThreadLocal.withInitial(() -> new View[OPERANDS][TABLE_SIZE]);

    private BufferViews() {
    }

    /** {@code buffer} as seen from float {@code offset} on, through operand {@code operand}'s table (see {@link #OPERANDS}). */
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
