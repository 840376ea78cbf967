package dev.convey.data;

import java.util.SplittableRandom;

/**
 * Random numbers that depend only on (seed, epoch, sample), never on which thread asks or in which order: the
 * data pipeline decodes and augments on background threads, and a given seed must still give the same epochs.
 */
final class Seeds {

    private Seeds() {
    }

    /** A well-mixed 64-bit value of the parts (the SplitMix64 finaliser applied after each part). */
    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long part : parts) {
            h = finalise(h ^ finalise(part + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    /** A generator for one (seed, epoch, sample) triple. */
    static SplittableRandom forSample(long seed, int epoch, int sample) {
        return new SplittableRandom(mix(seed, epoch, sample));
    }

    /** A seed for callers that did not give one (Keras then draws from numpy's global state). */
    static long fresh() {
        return new SplittableRandom().nextLong();
    }

    /** An epoch's number and sample order, published together so a reader never mixes two epochs. */
    record Epoch(int number, int[] order) {
        /** Epoch {@code number}'s order of {@code n} samples. */
        static Epoch of(int number, int n, boolean shuffle, long seed) {
            return new Epoch(number, epochOrder(n, shuffle, seed, number));
        }
    }

    /**
     * The order of {@code n} samples in an epoch: {@code 0..n-1}, or a Fisher-Yates shuffle drawn from (seed,
     * epoch) so every sample appears exactly once.
     */
    static int[] epochOrder(int n, boolean shuffle, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(mix(seed, epoch, -1));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    // SplitMix64's output function: a bijection on 64-bit values with good avalanche.
    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
