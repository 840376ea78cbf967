package dev.convey.fuzz;

import java.util.Arrays;
import java.util.Random;

/**
 * Byte-level mutations of a file's content, drawn from a seeded {@link Random}: the damage files suffer in
 * transit and on disk (bit flips, zeroed or 0xFF runs, truncations, splices of another part of the file, random
 * runs, and "interesting" integers - 0, -1, 2^31 - 1 - written over a field). Each mutation returns a new array
 * and a short name for it, which goes into the mutated file's name so that error messages can be checked to
 * name the file.
 */
final class ByteMutator {

    /** A mutated content and what was done to it ({@code bitflip}, {@code truncate}, ...). */
    record Mutation(String kind, byte[] bytes) {
    }

    private static final String[] KINDS = {"bitflip", "zeroes", "ones", "truncate", "splice", "random", "int", "multi"};

    private final Random random;

    ByteMutator(Random random) {
        this.random = random;
    }

    Mutation mutate(byte[] original) {
        String kind = KINDS[random.nextInt(KINDS.length)];
        byte[] out = original.clone();
        switch (kind) {
            case "bitflip" -> flipBits(out, 1 + random.nextInt(8));
            case "zeroes" -> fill(out, (byte) 0);
            case "ones" -> fill(out, (byte) 0xFF);
            case "truncate" -> out = Arrays.copyOf(out, random.nextInt(Math.max(1, out.length)));
            case "splice" -> splice(out);
            case "random" -> randomRun(out);
            case "int" -> interestingInt(out);
            default -> {
                for (int i = 0, n = 2 + random.nextInt(6); i < n; i++) {
                    switch (random.nextInt(4)) {
                        case 0 -> flipBits(out, 1);
                        case 1 -> fill(out, (byte) 0);
                        case 2 -> splice(out);
                        default -> interestingInt(out);
                    }
                }
            }
        }
        return new Mutation(kind, out);
    }

    /** A position biased to the start of the file, where HDF5's superblock, headers and heaps live. */
    private int position(int length) {
        if (length == 0) {
            return 0;
        }
        return random.nextBoolean() ? random.nextInt(Math.min(length, 4096)) : random.nextInt(length);
    }

    private void flipBits(byte[] b, int count) {
        for (int i = 0; i < count && b.length > 0; i++) {
            b[position(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
    }

    private void fill(byte[] b, byte value) {
        int start = position(b.length);
        int length = Math.min(b.length - start, 1 + random.nextInt(64));
        Arrays.fill(b, start, start + length, value);
    }

    private void splice(byte[] b) {
        if (b.length < 2) {
            return;
        }
        int from = random.nextInt(b.length);
        int to = position(b.length);
        int length = Math.min(Math.min(b.length - from, b.length - to), 1 + random.nextInt(256));
        System.arraycopy(b.clone(), from, b, to, length);
    }

    private void randomRun(byte[] b) {
        int start = position(b.length);
        int length = Math.min(b.length - start, 1 + random.nextInt(32));
        for (int i = start; i < start + length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
    }

    private void interestingInt(byte[] b) {
        long[] values = {0, -1, 1, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, 0x7FFFFFFFFFFFFFFFL, 65535, 4096};
        long v = values[random.nextInt(values.length)];
        int width = random.nextBoolean() ? 4 : 8;
        int at = position(b.length);
        for (int i = 0; i < width && at + i < b.length; i++) {
            b[at + i] = (byte) (v >>> (8 * i)); // little endian, as HDF5 and .npy store integers
        }
    }
}
