package dev.convey.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;

import org.junit.jupiter.api.Test;

/** Transient tensors, their release into a pool, and the pool's choice of buffers and its bound. */
class BufferPoolTest {

    @Test
    void releasingATransientTensorReleasesItsViewsAndFreesItsMemory() {
        BufferPool pool = new BufferPool();
        Tensor t = Tensor.reuse(null, 2, 3, 4);
        Tensor view = t.reshape(6, 4);
        Tensor slice = t.batchSlice(1, 1);
        assertSame(t, view.root());
        assertSame(t, slice.root());
        assertTrue(pool.release(view), "a view releases its root");
        assertTrue(t.isReleased() && view.isReleased() && slice.isReleased());
        for (Tensor released : new Tensor[] {t, view, slice}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, released::data);
            assertTrue(e.getMessage().contains("released"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> t.get(0, 0, 0));
        assertEquals("Tensor(2, 3, 4) (released)", t.toString());
        assertFalse(pool.release(t), "once");
        assertEquals(24, pool.freeFloats());
    }

    @Test
    void weightsAndUserTensorsAreNeverReleased() {
        BufferPool pool = new BufferPool();
        Tensor zeros = Tensor.zeros(4);
        Tensor of = Tensor.of(new float[] {1, 2}, 2);
        Tensor sameShape = Tensor.reuse(zeros, 4);   // reuses zeros itself
        assertSame(zeros, sameShape);
        assertFalse(pool.release(zeros));
        assertFalse(pool.release(of));
        assertFalse(pool.release(Tensor.reuse(zeros, 2, 2)), "a view of a tensor made by zeros");
        assertEquals(0, pool.freeFloats());
        assertEquals(2f, of.get(1));
    }

    @Test
    void reuseOfAReleasedTensorTakesTheBestFittingFreeBufferInAPass() {
        BufferPool pool = new BufferPool();
        try (BufferPool.Pass pass = BufferPool.join(pool, true)) {
            Tensor small = Tensor.reuse(null, 100);
            Tensor large = Tensor.reuse(null, 1000);
            Tensor huge = Tensor.reuse(null, 100_000);
            assertEquals(3, pool.allocations());
            FloatBuffer smallMemory = small.data();
            FloatBuffer largeMemory = large.data();
            FloatBuffer hugeMemory = huge.data();
            pass.pool().release(small);
            pass.pool().release(large);
            pass.pool().release(huge);
            Tensor again = Tensor.reuse(large, 90);     // large was released: the pool's best fit, small's buffer
            assertSame(smallMemory, again.data());
            Tensor next = Tensor.reuse(null, 200);      // 1000 >= 200 and not over 8 times as large
            assertSame(largeMemory, next.data());
            Tensor tiny = Tensor.reuse(null, 50);       // the 100 000-float buffer is left for large outputs
            assertNotSame(hugeMemory, tiny.data());
            assertEquals(4, pool.allocations());
            assertEquals(100_000, pool.freeFloats());
        }
    }

    @Test
    void aPassJoinsTheRunningOneAndThePoolDropsWhatAWholePassLeftUnused() {
        BufferPool outer = new BufferPool();
        BufferPool nested = new BufferPool();
        try (BufferPool.Pass pass = BufferPool.join(outer, true)) {
            try (BufferPool.Pass inner = BufferPool.join(nested, false)) {
                assertSame(outer, inner.pool());
                assertTrue(inner.releases(), "the outermost pass decides");
            }
            pass.pool().release(Tensor.reuse(null, 10));
        }
        assertEquals(10, outer.freeFloats(), "released in the last pass: kept for the next one");
        for (int unused = 1; unused <= 2; unused++) {
            try (BufferPool.Pass pass = BufferPool.join(outer, true)) {
                assertEquals(10, pass.pool().freeFloats());
            }
        }
        assertEquals(0, outer.freeFloats(), "two whole passes without taking it: dropped");
        assertEquals(0, Tensor.reuse(null, 10).data().get(0), "outside a pass reuse allocates (zeros)");
    }

    @Test
    void releasedMemoryIsPoisonedWithNanUnderAssertions() {
        BufferPool pool = new BufferPool();
        Tensor t = Tensor.reuse(null, 3);
        FloatBuffer memory = t.data();
        pool.release(t);
        boolean assertions = false;
        assert assertions = true;
        if (assertions) {
            assertTrue(Float.isNaN(memory.get(2)));
        }
    }
}
