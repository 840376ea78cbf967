package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArraySequenceTest {

    // Sample i has x = (i, 100 + i) and y = 1000 + i, so rows can be traced back to their sample.
    private static Tensor x(int n) {
        float[] v = new float[2 * n];
        for (int i = 0; i < n; i++) {
            v[2 * i] = i;
            v[2 * i + 1] = 100 + i;
        }
        return Tensor.of(v, n, 2);
    }

    private static Tensor y(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 1000 + i;
        }
        return Tensor.of(v, n, 1);
    }

    /** The sample order of the current epoch, checking that x and y rows stay together. */
    private static List<Integer> epoch(BatchSequence seq) {
        List<Integer> seen = new ArrayList<>();
        for (int b = 0; b < seq.size(); b++) {
            BatchSequence.Batch batch = seq.get(b);
            for (int k = 0; k < batch.size(); k++) {
                int i = (int) batch.x().get(k, 0);
                assertEquals(100 + i, batch.x().get(k, 1));
                assertEquals(1000 + i, batch.y().get(k, 0));
                seen.add(i);
            }
        }
        return seen;
    }

    @Test
    void lastPartialBatchIsIncluded() {
        ArraySequence seq = new ArraySequence(x(10), y(10), 4);
        assertEquals(3, seq.size());
        assertEquals(10, seq.sampleCount());
        assertEquals(4, seq.get(0).size());
        assertEquals(2, seq.get(2).size());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), epoch(seq));
        assertThrows(IndexOutOfBoundsException.class, () -> seq.get(3));
    }

    @Test
    void shufflingVisitsEverySampleOncePerEpochInANewDeterministicOrder() {
        ArraySequence seq = new ArraySequence(x(23), y(23), 5, true, 7);
        ArraySequence again = new ArraySequence(x(23), y(23), 5, true, 7);
        List<List<Integer>> orders = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            List<Integer> order = epoch(seq);
            int[] sorted = order.stream().mapToInt(Integer::intValue).sorted().toArray();
            int[] all = new int[23];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, sorted, "epoch " + e + " must contain every sample once: " + order);
            assertEquals(order, epoch(again), "same seed, same epoch, same order");
            orders.add(order);
            seq.onEpochEnd();
            again.onEpochEnd();
        }
        assertFalse(orders.get(0).equals(orders.get(1)), "epochs are reshuffled");
        assertFalse(orders.get(0).equals(epoch(new ArraySequence(x(23), y(23), 5, true, 8))), "seed matters");
    }

    @Test
    void mismatchedSampleCountsAreAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ArraySequence(x(5), y(4), 2));
        assertTrue(e.getMessage().contains("x (5, 2), y (4, 1)"), e.getMessage());
    }
}
