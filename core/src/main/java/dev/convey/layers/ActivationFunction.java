package dev.convey.layers;

import static dev.convey.layers.ActivationMath.normalCdf;
import static dev.convey.layers.ActivationMath.relu6;
import static dev.convey.layers.ActivationMath.sigmoid;
import static dev.convey.layers.ActivationMath.softplus;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Scratch;

/**
 * The element-wise (and, for softmax, row-wise) activation functions Keras knows by name, with Keras 3's exact
 * definitions (keras/src/activations/activations.py). One implementation shared by the {@link Activation} layer
 * and the activations fused into {@link Conv2D} and {@link Dense}.
 *
 * <p>Backward receives the pre-activation x, the output y = f(x) and dL/dy. Most derivatives are written in
 * terms of y alone, which a layer keeps anyway; those that need x ({@link #needsInput()}: softplus, gelu, silu,
 * hard_silu, mish) get it from a layer that kept it.
 * <pre>
 *   linear        y = x                                      dy/dx = 1
 *   relu          y = max(x, 0)                              dy/dx = [y > 0]
 *   sigmoid       y = 1 / (1 + e^-x)                         dy/dx = y (1 - y)
 *   tanh          y = tanh(x)                                dy/dx = 1 - y^2
 *   softmax       y_i = e^x_i / sum_j e^x_j (per row)        dL/dx_i = y_i (dL/dy_i - sum_j dL/dy_j y_j)
 *   softplus      y = log(1 + e^x)                           dy/dx = sigmoid(x)
 *   softsign      y = x / (|x| + 1)                          dy/dx = 1 / (|x| + 1)^2 = (1 - |y|)^2
 *   elu           y = x if x > 0 else e^x - 1   (alpha 1)    dy/dx = 1 if y > 0 else y + 1
 *   selu          y = s x if x > 0 else s a (e^x - 1)        dy/dx = s if y > 0 else y + s a
 *                 a = 1.67326324, s = 1.05070098
 *   gelu          y = x/2 (1 + erf(x / sqrt 2))  (Keras 3: approximate=False)   dy/dx = Phi(x) + x phi(x)
 *   silu, swish   y = x sigmoid(x)                           dy/dx = s + x s (1 - s), s = sigmoid(x)
 *   hard_sigmoid  y = relu6(x + 3) / 6   (Keras 3; Keras 2 had 0.2 x + 0.5)   dy/dx = 1/6 if 0 < y < 1
 *   hard_silu     y = x relu6(x + 3) / 6 (= hard_swish)      dy/dx = 0 (x < -3), 1 (x > 3), (2x + 3) / 6
 *   exponential   y = e^x                                    dy/dx = y
 *   relu6         y = min(max(x, 0), 6)                      dy/dx = [0 < y < 6]
 *   leaky_relu    y = x if x > 0 else 0.2 x   (Keras 3's activation default)   dy/dx = 1 if y > 0 else 0.2
 *   mish          y = x tanh(softplus(x))                    dy/dx = t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x))
 * </pre>
 * At a kink the derivative is TensorFlow's (relu6, leaky_relu: the gradient of the side x &lt;= 0 at 0).
 * Softmax works on the last axis, one row at a time, as Keras' default {@code axis=-1}.
 *
 * <p>{@link #value} is each formula in double, the reference. Forward runs float loops that HotSpot vectorises:
 * sigmoid, silu, exponential, elu and selu are {@link FloatActivations}' kernels (within 2 ulp or 2e-7 of the
 * reference), the piecewise-linear ones the formula in float; tanh, softplus, gelu and mish round {@link #value}
 * per element (tanh stays correctly rounded: a finite-difference gradient check through a training-mode batch
 * norm, ModelGradientTest, is at the edge of its tolerance with the 1.8 ulp of a float kernel). The backward of
 * silu and softplus takes sigmoid(x) from the kernel too. {@code -Dconvey.referenceActivations=true} runs the
 * reference instead (to compare).
 */
public enum ActivationFunction {

    LINEAR("linear"),
    RELU("relu"),
    SIGMOID("sigmoid") {
        @Override double value(double x) { return sigmoid(x); }
    },
    TANH("tanh") {
        @Override double value(double x) { return Math.tanh(x); }
    },
    SOFTMAX("softmax"),
    SOFTPLUS("softplus") {
        @Override double value(double x) { return softplus(x); }
        @Override double derivative(double x, double y) { return sigmoid(x); }
    },
    SOFTSIGN("softsign") {
        @Override double value(double x) { return x / (Math.abs(x) + 1); }
        @Override double derivative(double x, double y) { return (1 - Math.abs(y)) * (1 - Math.abs(y)); }
    },
    ELU("elu") {
        @Override double value(double x) { return x > 0 ? x : Math.expm1(x); }
        @Override double derivative(double x, double y) { return y > 0 ? 1 : y + 1; }
    },
    SELU("selu") {
        @Override double value(double x) { return x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x); }
        @Override double derivative(double x, double y) { return y > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA; }
    },
    GELU("gelu") {
        @Override double value(double x) { return x * normalCdf(x); }
        @Override double derivative(double x, double y) {
            return normalCdf(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
        }
    },
    SILU("silu", "swish") {
        @Override double value(double x) { return x * sigmoid(x); }
        @Override double derivative(double x, double y) { double s = sigmoid(x); return s + x * s * (1 - s); }
    },
    HARD_SIGMOID("hard_sigmoid") {
        @Override double value(double x) { return relu6(x + 3) / 6; }
        @Override double derivative(double x, double y) { return y > 0 && y < 1 ? 1.0 / 6 : 0; }
    },
    HARD_SILU("hard_silu", "hard_swish") {
        @Override double value(double x) { return x * relu6(x + 3) / 6; }
        @Override double derivative(double x, double y) {
            return relu6(x + 3) / 6 + (x > -3 && x < 3 ? x / 6 : 0);
        }
    },
    EXPONENTIAL("exponential") {
        @Override double value(double x) { return Math.exp(x); }
        @Override double derivative(double x, double y) { return y; }
    },
    RELU6("relu6") {
        @Override double value(double x) { return relu6(x); }
        @Override double derivative(double x, double y) { return y > 0 && y < 6 ? 1 : 0; }
    },
    LEAKY_RELU("leaky_relu") {
        @Override double value(double x) { return x > 0 ? x : LEAKY_SLOPE * x; }
        @Override double derivative(double x, double y) { return y > 0 ? 1 : LEAKY_SLOPE; }
    },
    MISH("mish") {
        @Override double value(double x) { return x * Math.tanh(softplus(x)); }
        @Override double derivative(double x, double y) {
            double t = Math.tanh(softplus(x));
            return t + x * (1 - t * t) * sigmoid(x);
        }
    };

    /** SELU's constants (Klambauer et al. 2017), as Keras 3 writes them. */
    static final double SELU_ALPHA = 1.67326324;
    static final double SELU_SCALE = 1.05070098;
    /** {@code keras.activations.leaky_relu}'s default negative_slope (the LeakyReLU LAYER's default is 0.3). */
    static final double LEAKY_SLOPE = 0.2;

    /** Below this many floats a loop is not worth splitting over the cores. */
    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private final String kerasName;
    private final String alias;

    ActivationFunction(String kerasName) {
        this(kerasName, kerasName);
    }

    ActivationFunction(String kerasName, String alias) {
        this.kerasName = kerasName;
        this.alias = alias;
    }

    /** f(x) of the functions without a specialised loop (everything after softmax). */
    double value(double x) {
        throw new AssertionError(this);
    }

    /** f'(x), from x or y = f(x), whichever the formula needs (see {@link #needsInput()}). */
    double derivative(double x, double y) {
        throw new AssertionError(this);
    }

    /** Whether backward needs the pre-activation x (a layer fusing this activation must then keep it). */
    public boolean needsInput() {
        return this == SOFTPLUS || this == GELU || this == SILU || this == HARD_SILU || this == MISH;
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
            String n = name.toLowerCase(Locale.ROOT);
            if (f.kerasName.equals(n) || f.alias.equals(n)) {
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
        Epilogue.Bound alone = new Epilogue.Bound(Epilogue.Channels.NONE, null, this);
        if (Epilogue.runsNatively(alone, x, y)) {   // the native kernel, in place on the buffers (see Epilogue)
            Epilogue.applyNatively(alone, x, y, offset, rows, cols);
            return;
        }
        Scratch.forEachTile(offset, rows, cols, x, null, null, y, (tile, unused, unused2, length) -> apply(tile, length, cols));
    }

    /**
     * v = f(v) in place over v[0, length), whole rows of {@code cols} floats: the kernel itself, on an array
     * (see {@link Scratch}). Conv2D and Dense call it on each GEMM block's tile after adding the bias.
     */
    void apply(float[] v, int length, int cols) {
        if (this == SOFTMAX) {
            for (int row = 0; row < length; row += cols) {
                softmaxRow(v, row, cols);
            }
        } else if (Boolean.getBoolean(REFERENCE_PROPERTY)) {
            applyReference(v, length);
        } else {
            FloatActivations.apply(this, v, length);
        }
    }

    /** The switch to the reference loops, {@link #applyReference}. */
    static final String REFERENCE_PROPERTY = "convey.referenceActivations";

    /** v = (float) value(v) element by element: the double reference (relu and linear exact in float). */
    void applyReference(float[] v, int length) {
        switch (this) {
            case LINEAR:
                break;
            case RELU:
                for (int i = 0; i < length; i++) {
                    v[i] = Math.max(v[i], 0f);
                }
                break;
            default:
                for (int i = 0; i < length; i++) {
                    v[i] = (float) value(v[i]);
                }
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
     * dL/dx from the pre-activation x, the forward output y and dL/dy (all of the same shape; dx may be dy
     * itself). x may be null when {@link #needsInput()} is false. Split over the cores for big tensors.
     */
    public void backward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        if (x == null && needsInput()) {
            throw new IllegalArgumentException(kerasName + "'s derivative needs the pre-activation input x");
        }
        int cols = y.rank() == 0 ? 1 : y.dim(-1);
        int rows = cols == 0 ? 0 : y.size() / cols;
        FloatBuffer xs = x == null ? null : x.data();
        Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / Math.max(1, cols)),
                (r0, r1) -> backwardRows(xs, y.data(), dy.data(), dx.data(), r0 * cols, r1 - r0, cols));
    }

    /** dL/dx over {@code rows} rows of {@code cols} floats starting at float {@code offset} of the buffers. */
    public void backwardRows(FloatBuffer x, FloatBuffer y, FloatBuffer dy, FloatBuffer dx, int offset, int rows,
            int cols) {
        if (this == LINEAR) {
            if (dx != dy) {
                dx.put(offset, dy, offset, rows * cols);
            }
            return;
        }
        Scratch.forEachTile(offset, rows, cols, dy, y, x, dx,
                (g, yTile, xTile, length) -> applyBackward(xTile, yTile, g, length, cols));
    }

    /** g = dL/dx in place of g = dL/dy, from the inputs x (null if not needed) and outputs y, over [0, length). */
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
            case SILU:
            case SOFTPLUS:
                if (!Boolean.getBoolean(REFERENCE_PROPERTY)) {
                    // s = sigmoid(x) by the fast kernel, into y's tile (a scratch copy; neither needs y)
                    System.arraycopy(x, 0, y, 0, length);
                    FloatActivations.sigmoid(y, length);
                    if (this == SOFTPLUS) {
                        for (int i = 0; i < length; i++) {
                            g[i] = g[i] * y[i];
                        }
                    } else {
                        for (int i = 0; i < length; i++) {
                            g[i] = g[i] * (y[i] + x[i] * y[i] * (1f - y[i]));
                        }
                    }
                    break;
                }
                // fall through: the reference
            default:
                for (int i = 0; i < length; i++) {
                    g[i] = (float) (g[i] * derivative(x == null ? Double.NaN : x[i], y[i]));
                }
        }
    }

    /**
     * {@code y > 0 ? g : 0} for a relu output y (never negative), without a branch: half of the outputs are 0
     * in no predictable order, and a mispredicted branch per element made this loop 5x slower than memory. As
     * g * min(y * 2^149, 1): for y > 0 (at least 2^-149, the smallest float) the factor is exactly 1, for y = 0 it
     * is 0 (g * 0 = 0, of g's sign). Multiplies and min are what HotSpot C2 (JDK 17) vectorises; the earlier test
     * of y's bits (floatToRawIntBits) is not: with it the batch norm's fused relu mask (BatchNormKernels) left the
     * fused pair at 0.98 of the two layers' time, with this 0.76 (BnReluPairProbe). 2^149 as 2^127 * 2^22 (2^149
     * is no float; y * 2^127 may overflow to infinity, whose min with 1 is 1). A NaN y, or an infinite g where
     * y = 0, gives NaN.
     */
    static float whereYPositive(float y, float g) {
        return g * Math.min(y * 0x1p127f * 0x1p22f, 1f);
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
