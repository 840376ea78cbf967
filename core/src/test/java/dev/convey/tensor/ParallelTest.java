package dev.convey.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

/** The chunked loop: every index exactly once, failures surface on the caller, concurrent callers are safe. */
class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceAcrossManyLoops() {
        AtomicIntegerArray hits = new AtomicIntegerArray(1001);
        for (int loop = 0; loop < 2000; loop++) {
            Parallel.range(hits.length(), 1, (start, end) -> {
                for (int i = start; i < end; i++) {
                    hits.incrementAndGet(i);
                }
            });
        }
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(2000, hits.get(i), "index " + i);
        }
    }

    @Test
    void aFailureInAnyChunkIsThrownToTheCaller() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.range(100, 1,
                (start, end) -> {
                    if (end == 100) {   // the last chunk: a worker's when there are several cores
                        throw new IllegalArgumentException("chunk " + start + ".." + end);
                    }
                }));
        assertEquals("chunk " + (Parallel.threads() == 1 ? 0 : 100 - 100 / Parallel.threads()) + "..100", e.getMessage());
        // The workers are still usable afterwards.
        AtomicIntegerArray hits = new AtomicIntegerArray(10);
        Parallel.range(10, 1, (start, end) -> {
            for (int i = start; i < end; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 10; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    /**
     * A chunk its worker has not started when the caller is done with its own runs on the caller: after 5 ms
     * idle the workers are parked, and waking one takes far longer than the caller's empty chunk. Each index
     * still runs exactly once.
     */
    @Test
    void aChunkWhoseWorkerHasNotStartedRunsOnTheCaller() throws InterruptedException {
        assumeTrue(Parallel.threads() > 1, "one core: no workers");
        int onCaller = 0;
        for (int attempt = 0; attempt < 20; attempt++) {
            Thread.sleep(5);
            Thread caller = Thread.currentThread();
            AtomicIntegerArray hits = new AtomicIntegerArray(Parallel.threads());
            AtomicIntegerArray byCaller = new AtomicIntegerArray(Parallel.threads());
            Parallel.range(Parallel.threads(), 1, (start, end) -> {
                for (int i = start; i < end; i++) {
                    hits.incrementAndGet(i);
                    byCaller.set(i, Thread.currentThread() == caller ? 1 : 0);
                }
            });
            for (int i = 0; i < hits.length(); i++) {
                assertEquals(1, hits.get(i), "index " + i);
            }
            onCaller += byCaller.get(hits.length() - 1);
        }
        assertTrue(onCaller > 0, "the caller never ran a parked worker's chunk in 20 attempts");
    }

    @Test
    void loopsFromSeveralThreadsAtOnceAreEachComplete() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            Future<?>[] results = new Future<?>[3];
            for (int c = 0; c < results.length; c++) {
                results[c] = callers.submit(() -> {
                    for (int loop = 0; loop < 300; loop++) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(500);
                        Parallel.range(500, 1, (start, end) -> {
                            for (int i = start; i < end; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < 500; i++) {
                            assertEquals(1, hits.get(i));
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : results) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    /**
     * Loops 50-100 us apart: the workers poll through several of their periodic yields between two loops, with
     * the yields on ({@value Parallel#YIELD_PROPERTY} unset) and off. Each index still runs exactly once, and
     * the loops are handed over (counted) when there are workers.
     */
    @Test
    void loopsBetweenTheWorkersYieldsAreEachComplete() {
        for (String yield : new String[] {null, "false"}) {
            if (yield == null) {
                System.clearProperty(Parallel.YIELD_PROPERTY);
            } else {
                System.setProperty(Parallel.YIELD_PROPERTY, yield);
            }
            try {
                long handedBefore = Parallel.dispatchCounts()[0];
                for (int loop = 0; loop < 200; loop++) {
                    long until = System.nanoTime() + 50_000 + 250L * loop;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    AtomicIntegerArray hits = new AtomicIntegerArray(64);
                    Parallel.range(hits.length(), 1, (start, end) -> {
                        for (int i = start; i < end; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < hits.length(); i++) {
                        assertEquals(1, hits.get(i), "yield " + yield + ", loop " + loop + ", index " + i);
                    }
                }
                long handed = Parallel.dispatchCounts()[0] - handedBefore;
                // All 200 unless another test's thread held the workers meanwhile (its loops then ran serially).
                assertTrue(Parallel.threads() > 1 ? handed > 0 && handed <= 200 : handed == 0,
                        "loops handed to the workers, yield " + yield + ": " + handed);
            } finally {
                System.clearProperty(Parallel.YIELD_PROPERTY);
            }
        }
    }
}
