package dev.convey.spark;

import java.util.Arrays;
import java.util.Comparator;

/** The k largest entries of one output row, as Keras' {@code decode_predictions} orders them. */
final class TopK {

    private TopK() {
    }

    /**
     * The indices of the {@code k} largest values, largest first; equal values: the higher index first (the
     * reversed ascending {@code argsort} of Keras' {@code decode_predictions}).
     */
    static int[] indices(float[] values, int k) {
        Integer[] order = new Integer[values.length];
        Arrays.setAll(order, i -> i);
        Comparator<Integer> byValue = Comparator.comparingDouble(i -> values[i]);
        Arrays.sort(order, byValue.thenComparingInt(i -> i).reversed());
        int[] top = new int[k];
        for (int i = 0; i < k; i++) {
            top[i] = order[i];
        }
        return top;
    }
}
