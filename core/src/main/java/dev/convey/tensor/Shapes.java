package dev.convey.tensor;

import java.util.Arrays;

/**
 * Helpers for shapes as {@code int[]}. In symbolic shapes (a layer's input or output shape in a model, which,
 * as in Keras, leaves out the batch axis) an unknown size is {@link #UNKNOWN} and prints as {@code None}.
 */
public final class Shapes {

    /** An axis whose size is only known at run time, Keras' {@code None}. */
    public static final int UNKNOWN = -1;

    private Shapes() {
    }

    /** The number of elements, or UNKNOWN if any axis is unknown. */
    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d == UNKNOWN) {
                return UNKNOWN;
            }
            if (d < 0) {
                throw new IllegalArgumentException("Negative axis size in shape " + toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Shape " + toString(shape) + " has more than 2^31 elements");
            }
        }
        return (int) n;
    }

    /** Keras' notation: {@code (None, 224, 224, 3)}; a 1-tuple keeps its comma, {@code (10,)}. */
    public static String toString(int[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i] == UNKNOWN ? "None" : String.valueOf(shape[i]));
        }
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The shape with the batch axis (printed as None) in front: what Keras' summary shows. */
    public static int[] withBatch(int batch, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = batch;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    /** The shape without its first (batch) axis. */
    public static int[] withoutBatch(int[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    static void requireConcrete(int[] shape, String where) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(where + ": shape " + toString(shape) + " has a negative or unknown axis");
            }
        }
    }

    /** NumPy's reshape rule: at most one axis may be -1 and is inferred; the element count must match. */
    static int[] resolveReshape(int[] from, int[] to) {
        int total = size(from);
        int[] out = to.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape " + toString(from) + " -> " + toString(to)
                            + ": only one axis can be inferred");
                }
                inferred = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException("reshape to " + toString(to) + ": negative axis");
            } else {
                known *= out[i];
            }
        }
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw new IllegalArgumentException("Cannot reshape " + toString(from) + " to " + toString(to));
            }
            out[inferred] = (int) (total / known);
        } else if (known != total) {
            throw new IllegalArgumentException("Cannot reshape " + toString(from) + " (" + total + " elements) to "
                    + toString(to) + " (" + known + " elements)");
        }
        return out;
    }
}
