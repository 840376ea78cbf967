package dev.convey.layers;

import dev.convey.tensor.Shapes;

/**
 * One axis of a C-order array moved to the end or the front, the others keeping their order: how
 * {@link Dot} lines up its contracted axes and how {@link BatchNormalization} normalises an axis other than the
 * last. {@code perm[j]} is the flat index, in the original array, of element j of the moved view.
 */
final class AxisPermutation {

    private AxisPermutation() {
    }

    /** The permutation of an array of {@code shape} with {@code axis} moved last ({@code last}) or first. */
    static int[] of(int[] shape, int axis, boolean last) {
        int size = Shapes.size(shape);
        int[] strides = new int[shape.length];
        for (int i = shape.length - 1, s = 1; i >= 0; s *= shape[i], i--) {
            strides[i] = s;
        }
        int[] order = new int[shape.length];
        int o = 0;
        if (!last) {
            order[o++] = axis;
        }
        for (int i = 0; i < shape.length; i++) {
            if (i != axis) {
                order[o++] = i;
            }
        }
        if (last) {
            order[o] = axis;
        }
        int[] perm = new int[size];
        int[] index = new int[shape.length];
        for (int j = 0; j < size; j++) {
            int flat = 0;
            for (int i = 0; i < shape.length; i++) {
                flat += index[i] * strides[i];
            }
            perm[j] = flat;
            for (int i = shape.length - 1; i >= 0; i--) {   // odometer over the view's axes, last fastest
                if (++index[order[i]] < shape[order[i]]) {
                    break;
                }
                index[order[i]] = 0;
            }
        }
        return perm;
    }

    /** The moved view of {@code values}, repeated over consecutive blocks of perm.length (the batch). */
    static float[] gather(float[] values, int[] perm) {
        int size = perm.length;
        float[] out = new float[values.length];
        for (int n = 0; n < values.length / size; n++) {
            for (int j = 0; j < size; j++) {
                out[n * size + j] = values[n * size + perm[j]];
            }
        }
        return out;
    }

    /** The inverse of {@link #gather}. */
    static float[] scatter(float[] view, int[] perm) {
        int size = perm.length;
        float[] out = new float[view.length];
        for (int n = 0; n < view.length / size; n++) {
            for (int j = 0; j < size; j++) {
                out[n * size + perm[j]] = view[n * size + j];
            }
        }
        return out;
    }
}
