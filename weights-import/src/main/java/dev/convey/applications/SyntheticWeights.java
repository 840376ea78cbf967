package dev.convey.applications;

import java.util.List;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * Deterministic synthetic weights for VGG16, ResNet50 and the MobileNets, version 1 of the spec (extended to
 * depthwise_kernel, pointwise_kernel and Normalization's mean/variance/count; see {@link #valueOf}) in
 * {@code src-test-data/.../SYNTHETIC_WEIGHTS.md}. Real ImageNet weights cannot be downloaded on build machines, so
 * the full-size models are tested (and benchmarked) with weights any language regenerates bit for bit; the
 * expected outputs in {@code applications/} were computed from them by a float64 reference of Keras' layers.
 *
 * <p>The generator is a counter-based hash, so element {@code i} of tensor {@code t} is computed directly:
 * <pre>
 *   splitmix64(x)   a 64-bit mixing function (Steele, Lea, Flood 2014)
 *   base(seed, t)   = splitmix64(seed * 1000003 + t)
 *   r(seed, t, i)   = splitmix64(base + i) >>> 40            24 random bits
 *   x(seed, t, i)   = (r - 2^23) / 2^23                        exactly representable, in [-1, 1)
 * </pre>
 * and scaled per kind of weight (see {@link #valueOf}). {@code t} numbers the weight tensors of the model in
 * Keras order (the order of {@code model.weights}).
 */
public final class SyntheticWeights {

    /** The seed of the shipped fixtures. */
    public static final long FIXTURE_SEED = 1;

    /** The tensor number the spec reserves for the input images. */
    private static final int INPUT_TENSOR = 999;

    private static final double TWO_POW_23 = 1 << 23;

    private SyntheticWeights() {
    }

    /** SplitMix64's finaliser: all arithmetic wraps modulo 2^64, shifts are unsigned. */
    static long splitmix64(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** base(seed, t) = splitmix64(seed * 1000003 + t): the per-tensor stream. */
    static long base(long seed, int tensor) {
        return splitmix64(seed * 1000003L + tensor);
    }

    /** x = (r - 2^23) / 2^23 with r = splitmix64(base + i) >>> 40: a uniform double in [-1, 1). */
    static double uniform(long base, long index) {
        long r = splitmix64(base + index) >>> 40;
        return (r - TWO_POW_23) / TWO_POW_23;
    }

    /**
     * Overwrites every weight of {@code model} (a Model, or any layer) with the synthetic values for
     * {@code seed}. The weights are numbered in the order {@code model.weights()} lists them, which for a
     * Keras-style model is Keras' order.
     */
    public static void fill(Layer model, long seed) {
        List<Parameter> weights = model.weights();
        Parameter firstConvKernel = null;
        for (Parameter p : weights) {
            if (p.layer().className().equals("Conv2D") && p.name().equals("kernel")) {
                firstConvKernel = p;
                break;
            }
        }
        for (int t = 0; t < weights.size(); t++) {
            Parameter p = weights.get(t);
            fillTensor(p.value(), seed, t, kindOf(p.layer().name(), p.name(), p == firstConvKernel));
        }
    }

    /** How a weight tensor's values are derived from x; see the table in SYNTHETIC_WEIGHTS.md. */
    enum Kind {
        KERNEL, FIRST_KERNEL, DEPTHWISE_KERNEL, BIAS, GAMMA, LAST_BRANCH_GAMMA, BETA, MOVING_MEAN, MOVING_VARIANCE,
        COUNT
    }

    static Kind kindOf(String layer, String weight, boolean firstConvKernel) {
        return switch (weight) {
            case "kernel", "pointwise_kernel" -> firstConvKernel ? Kind.FIRST_KERNEL : Kind.KERNEL;
            // A depthwise filter sums over kh * kw taps of one channel only: fan_in = kh * kw.
            case "depthwise_kernel" -> Kind.DEPTHWISE_KERNEL;
            case "count" -> Kind.COUNT;
            case "bias" -> Kind.BIAS;
            // The last BatchNormalization of a residual branch starts near zero so that each block begins
            // close to the identity (the "zero-init residual" trick), which keeps 16 blocks numerically tame.
            case "gamma" -> layer.endsWith("_3_bn") ? Kind.LAST_BRANCH_GAMMA : Kind.GAMMA;
            case "beta" -> Kind.BETA;
            case "moving_mean", "mean" -> Kind.MOVING_MEAN;
            case "moving_variance", "variance" -> Kind.MOVING_VARIANCE;
            default -> throw new IllegalArgumentException("Synthetic weights: no rule for weight '" + layer + "/" + weight
                    + "' (known: kernel, bias, gamma, beta, moving_mean, moving_variance)");
        };
    }

    /**
     * The value of one element, computed in double and rounded once to float32:
     * <pre>
     *   kernel           x * s,  s = (float32) sqrt(6 / fan_in), fan_in = product of all dims but the last
     *                    (also SeparableConv2D's pointwise_kernel)
     *   depthwise_kernel x * s,  fan_in = kh * kw (the first two dims)
     *   count            (Normalization) the constant 1; its mean and variance follow moving_mean/moving_variance
     *   first kernel     x * s / 128   (it sees caffe-preprocessed pixels of magnitude ~128)
     *   bias, beta       x / 16
     *   gamma            1 + x / 8     (x / 8 for the last BN of a residual branch)
     *   moving_mean      x / 8
     *   moving_variance  1 + x / 4
     * </pre>
     */
    static float valueOf(Kind kind, double x, double kernelScale) {
        return (float) switch (kind) {
            case KERNEL, DEPTHWISE_KERNEL -> x * kernelScale;
            case COUNT -> 1;
            case FIRST_KERNEL -> x * kernelScale / 128;
            case BIAS, BETA -> x * 0.0625;
            case GAMMA -> 1 + x * 0.125;
            case LAST_BRANCH_GAMMA, MOVING_MEAN -> x * 0.125;
            case MOVING_VARIANCE -> 1 + x * 0.25;
        };
    }

    /** Writes tensor number {@code t} of the model, of the given kind, into {@code w}. */
    static void fillTensor(Tensor w, long seed, int t, Kind kind) {
        long base = base(seed, t);
        int[] shape = w.shape();
        long fanIn = 1;
        for (int a = 0; a < (kind == Kind.DEPTHWISE_KERNEL ? 2 : shape.length - 1); a++) {
            fanIn *= shape[a];
        }
        double kernelScale = (float) Math.sqrt(6.0 / fanIn);
        Parallel.range(w.size(), 1 << 16, (start, end) -> {
            for (int i = start; i < end; i++) {
                w.data().put(i, valueOf(kind, uniform(base, i), kernelScale));
            }
        });
    }

    /**
     * The spec's test images: {@code n} RGB images of {@code height x width}, pixel i (flat index over
     * (n, height, width, 3)) = floor((x(seed, 999, i) + 1) * 127.5), whole numbers in 0..255 (float32).
     */
    public static Tensor images(long seed, int n, int height, int width) {
        Tensor out = Tensor.zeros(n, height, width, 3);
        long base = base(seed, INPUT_TENSOR);
        for (int i = 0; i < out.size(); i++) {
            out.data().put(i, (float) Math.floor((uniform(base, i) + 1) * 127.5));
        }
        return out;
    }
}
