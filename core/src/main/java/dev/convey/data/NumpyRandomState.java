package dev.convey.data;

import java.util.List;

/**
 * numpy's legacy {@code np.random.RandomState(seed)} as far as {@code shuffle} needs it: Keras'
 * {@code image_dataset_from_directory} shuffles the file list with {@code RandomState(seed).shuffle(paths)}, so
 * the same seed gives the same order (and the same validation split) as in Keras.
 *
 * <p>MT19937 (Matsumoto and Nishimura 1998) seeded by {@code init_genrand(seed)} for an integer seed;
 * {@code shuffle} is Fisher-Yates from the end, {@code j = random_interval(i)}: draw 32-bit words masked to the
 * smallest all-ones mask covering {@code i} until one is {@code <= i} (numpy's legacy bounded integers).
 */
final class NumpyRandomState {

    private static final int N = 624;
    private static final int M = 397;
    private final int[] mt = new int[N];
    private int index;

    /** {@code RandomState(seed)} for {@code 0 <= seed < 2^32}. */
    NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("numpy seeds are 0 .. 2^32 - 1, got " + seed);
        }
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** The next 32-bit output (genrand_int32), as an unsigned value. */
    long nextUint32() {
        if (index >= N) {
            twist();
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9D2C5680;
        y ^= (y << 15) & 0xEFC60000;
        y ^= y >>> 18;
        return y & 0xFFFFFFFFL;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7FFFFFFF);
            mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908B0DF : 0);
        }
        index = 0;
    }

    /** numpy's legacy {@code random_interval(max)}: uniform in {@code 0..max} by masked rejection. */
    long randomInterval(long max) {
        if (max == 0) {
            return 0;
        }
        long mask = max;
        for (int shift = 1; shift <= 16; shift <<= 1) {
            mask |= mask >>> shift;
        }
        long value;
        do {
            value = nextUint32() & mask;
        } while (value > max);
        return value;
    }

    /** {@code RandomState.shuffle(list)} in place. */
    <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = (int) randomInterval(i);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
