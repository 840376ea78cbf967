package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Scratch;

/**
 * The element-wise (and, for softmax, row-wise) activation functions Keras knows by name. One implementation
 * shared by the {@link Activation} layer and the activations fused into {@link Conv2D} and {@link Dense}.
 *
 * <p>The backward contract: {@link #backward(Tensor, Tensor, Tensor, Tensor)} gets the pre-activation x, the
 * output y = f(x) and dL/dy. A function whose derivative is cheapest from y (all of the ones below) says so with
 * {@link #needsInput()} false, and then x may be null: a layer keeps only its output buffer. A function that
 * needs x (swish, gelu, mish) returns true, and a layer with that activation fused keeps its pre-activation:

 * <pre>
 *   linear   y = x                          dL/dx = dL/dy
 *   relu     y = max(x, 0)                  dL/dx = dL/dy * [y > 0]
 *   sigmoid  y = 1 / (1 + e^-x)             dL/dx = dL/dy * y * (1 - y)
 *   tanh     y = tanh(x)                    dL/dx = dL/dy * (1 - y^2)
 *   softmax  y_i = e^x_i / sum_j e^x_j      dL/dx_i = y_i * (dL/dy_i - sum_j dL/dy_j * y_j)   (per row)
 * </pre>
 * Softmax works on the last axis, one row at a time, as Keras' default {@code axis=-1}.
 */
public enum ActivationFunction {

    LINEAR("linear"),
    RELU("relu"),
    SIGMOID("sigmoid"),
    TANH("tanh"),
    SOFTMAX("softmax");

    /** Below this many floats a loop is not worth splitting over the cores. */
    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private final String kerasName;
    private final boolean needsInput;

    ActivationFunction(String kerasName) {
        this(kerasName, false);
    }

    ActivationFunction(String kerasName, boolean needsInput) {
        this.kerasName = kerasName;
        this.needsInput = needsInput;
    }

    /**
     * Whether {@link #backward} needs the pre-activation x (not only the output y). A layer with this activation
     * fused keeps x from its forward pass when true, and may pass null when false.
     */
    public boolean needsInput() {
        return needsInput;
    }

    /** The name Keras uses in layer configs: {@code "relu"}. */
    public String kerasName() {
        return kerasName;
    }

    /**
     * The activation Keras calls {@code name}. {@code null} is Keras' {@code activation=None}, the identity.
     *
     * @throws IllegalArgumentException naming the valid names for anything else
     */
    public static ActivationFunction forName(String name) {
        if (name == null) {
            return LINEAR;
        }
        for (ActivationFunction f : values()) {
            if (f.kerasName.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("Unknown activation '" + name + "'; expected one of "
                + Arrays.stream(values()).map(f -> f.kerasName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return kerasName;
    }

    // ---------------------------------------------------------------- forward

    /**
     * y = f(y) in place over a whole tensor; softmax normalises each row of the last axis. Split over the cores
     * for big tensors.
     */
    public void forward(Tensor inPlace) {
        forward(inPlace, inPlace);
    }

    /**
     * y = f(x) into a tensor of the same shape (y may be x itself). One pass over memory: reading x while
     * writing y costs half of copying x into y and then applying f in place, and these loops are memory-bound.
     */
    public void forward(Tensor x, Tensor y) {
        if (this == LINEAR && x == y) {
            return;
        }
        int cols = x.rank() == 0 ? 1 : x.dim(-1);
        int rows = cols == 0 ? 0 : x.size() / cols;
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / Math.max(1, cols)),
                (r0, r1) -> forwardRows(x.data(), y.data(), r0 * cols, r1 - r0, cols));
    }

    /** y = f(x) over {@code rows} rows of {@code cols} floats starting at float {@code offset} of both buffers. */
    private void forwardRows(FloatBuffer x, FloatBuffer y, int offset, int rows, int cols) {
        if (this == LINEAR) {
            if (x != y) {
                y.put(offset, x, offset, rows * cols);
            }
            return;
        }
        Scratch.forEachTile(offset, rows, cols, x, null, null, y, (tile, unused, unused2, length) -> apply(tile, length, cols));
    }

    /**
     * v = f(v) in place over v[0, length), whole rows of {@code cols} floats: the kernel itself, on an array
     * (see {@link Scratch}). Conv2D and Dense call it on each GEMM block's tile after adding the bias.
     */
    void apply(float[] v, int length, int cols) {
        switch (this) {
            case LINEAR:
                break;
            case RELU:
                for (int i = 0; i < length; i++) {
                    v[i] = Math.max(v[i], 0f);
                }
                break;
            case SIGMOID:
                for (int i = 0; i < length; i++) {
                    v[i] = (float) (1.0 / (1.0 + Math.exp(-v[i])));
                }
                break;
            case TANH:
                for (int i = 0; i < length; i++) {
                    v[i] = (float) Math.tanh(v[i]);
                }
                break;
            case SOFTMAX:
                for (int row = 0; row < length; row += cols) {
                    softmaxRow(v, row, cols);
                }
                break;
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * y_i = e^(x_i - m) / sum_j e^(x_j - m) with m = max_j x_j, in place: subtracting the maximum changes
     * nothing mathematically and keeps exp from overflowing. Computed in double and rounded once (softmax sits
     * on a classifier's few outputs, so the second exp costs nothing that matters).
     */
    private static void softmaxRow(float[] v, int start, int cols) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = start; i < start + cols; i++) {
            max = Math.max(max, v[i]);
        }
        double sum = 0;
        for (int i = start; i < start + cols; i++) {
            sum += Math.exp((double) v[i] - max);
        }
        for (int i = start; i < start + cols; i++) {
            v[i] = (float) (Math.exp((double) v[i] - max) / sum);
        }
    }

    // ---------------------------------------------------------------- backward

    /**
     * dL/dx from the pre-activation x (null unless {@link #needsInput()}), the forward output y and dL/dy (all
     * of the same shape; dx may be dy itself). Split over the cores for big tensors.
     */
    public void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        int cols = y.rank() == 0 ? 1 : y.dim(-1);
        int rows = cols == 0 ? 0 : y.size() / cols;
        FloatBuffer xData = x == null ? null : x.data();
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / Math.max(1, cols)),
                (r0, r1) -> backwardRows(xData, y.data(), dy.data(), dx.data(), r0 * cols, r1 - r0, cols));
    }

    /** dL/dx over {@code rows} rows of {@code cols} floats starting at float {@code offset} of the buffers. */
    public void backwardRows(FloatBuffer x, FloatBuffer y, FloatBuffer dy, FloatBuffer dx, int offset, int rows, int cols) {
        if (this == LINEAR) {
            if (dx != dy) {
                dx.put(offset, dy, offset, rows * cols);
            }
            return;
        }
        if (needsInput && x == null) {
            throw new IllegalArgumentException("The gradient of " + kerasName + " needs the pre-activation input");
        }
        Scratch.forEachTile(offset, rows, cols, dy, y, needsInput ? x : null, dx,
                (g, yTile, xTile, length) -> applyBackward(xTile, yTile, g, length, cols));
    }

    /**
     * g = dL/dx in place of g = dL/dy, from the outputs y (and the inputs x when {@link #needsInput()}, else
     * null), over [0, length): whole rows of {@code cols}.
     */
    private void applyBackward(float[] x, float[] y, float[] g, int length, int cols) {
        switch (this) {
            case LINEAR:
                break;
            case RELU:
                for (int i = 0; i < length; i++) {
                    g[i] = whereYPositive(y[i], g[i]);
                }
                break;
            case SIGMOID:
                for (int i = 0; i < length; i++) {
                    g[i] = g[i] * y[i] * (1f - y[i]);
                }
                break;
            case TANH:
                for (int i = 0; i < length; i++) {
                    g[i] = g[i] * (1f - y[i] * y[i]);
                }
                break;
            case SOFTMAX:
                for (int row = 0; row < length; row += cols) {
                    softmaxRowBackward(y, g, row, cols);
                }
                break;
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * {@code y > 0 ? g : 0} for a relu output y (never negative), without a branch: half of the outputs are 0
     * in no predictable order, and a mispredicted branch per element made this loop 5x slower than memory.
     * For y >= 0 the bit pattern of y is positive exactly when y > 0, so -bits(y) >> 31 is all ones (keep g)
     * when y > 0 and 0 (clear g) when y == 0.
     */
    private static float whereYPositive(float y, float g) {
        int keep = -Float.floatToRawIntBits(y) >> 31;
        return Float.intBitsToFloat(Float.floatToRawIntBits(g) & keep);
    }

    /**
     * The softmax Jacobian is dy_i/dx_k = y_i (delta_ik - y_k), so
     * dL/dx_k = sum_i dL/dy_i * y_i (delta_ik - y_k) = y_k * (dL/dy_k - sum_i dL/dy_i * y_i).
     */
    private static void softmaxRowBackward(float[] y, float[] g, int start, int cols) {
        double dot = 0;
        for (int i = start; i < start + cols; i++) {
            dot += (double) g[i] * y[i];
        }
        float d = (float) dot;
        for (int i = start; i < start + cols; i++) {
            g[i] = y[i] * (g[i] - d);
        }
    }
}
