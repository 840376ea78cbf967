package dev.convey.layers;

import java.util.Locale;

import dev.convey.tensor.Shapes;

/**
 * TensorFlow's two padding modes for sliding windows (convolution and pooling), with their size arithmetic.
 * For one spatial axis of size {@code in}, a window of {@code k} taps spaced {@code d} apart (dilation) spans
 * {@code e = (k - 1) * d + 1} pixels and moves by {@code s} (stride):
 * <pre>
 *   valid:  no padding;          out = ceil((in - e + 1) / s) = floor((in - e) / s) + 1   (0 if in &lt; e)
 *   same:   out = ceil(in / s);  total pad = max((out - 1) * s + e - in, 0),
 *           top/left = floor(total / 2), the odd pixel goes to the bottom/right
 * </pre>
 * ("same" keeps the size only when s = 1; TensorFlow puts the extra pixel after, unlike Caffe/PyTorch.)
 */
public enum Padding {

    VALID("valid"),
    SAME("same");

    private final String kerasName;

    Padding(String kerasName) {
        this.kerasName = kerasName;
    }

    /** The name Keras uses in layer configs. */
    public String kerasName() {
        return kerasName;
    }

    /** "valid" or "same" (any case), else an error naming {@code owner} and the valid names. */
    public static Padding forName(String name, String owner) {
        for (Padding p : values()) {
            if (name != null && p.kerasName.equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException(owner + ": unknown padding '" + name + "'; expected 'valid' or 'same'");
    }

    @Override
    public String toString() {
        return kerasName;
    }

    /** The window's extent e = (k - 1) * d + 1. */
    static int effectiveKernel(int kernel, int dilation) {
        return (kernel - 1) * dilation + 1;
    }

    /** The output size along one axis (0 when a valid window does not fit; UNKNOWN stays UNKNOWN). */
    public int outputSize(int in, int kernel, int stride, int dilation) {
        if (in == Shapes.UNKNOWN) {
            return Shapes.UNKNOWN;
        }
        if (this == SAME) {
            return (in + stride - 1) / stride;
        }
        int e = effectiveKernel(kernel, dilation);
        return in < e ? 0 : (in - e) / stride + 1;
    }

    /** The padding before the first pixel (top or left); the rest of the total pad goes after. */
    public int padBefore(int in, int kernel, int stride, int dilation) {
        if (this == VALID) {
            return 0;
        }
        int out = outputSize(in, kernel, stride, dilation);
        int total = Math.max((out - 1) * stride + effectiveKernel(kernel, dilation) - in, 0);
        return total / 2;
    }
}
