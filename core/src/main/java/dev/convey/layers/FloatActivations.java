package dev.convey.layers;

/**
 * The fast kernels of the transcendental activations: float loops that HotSpot C2 vectorises, beside the double
 * reference formulas of {@link ActivationFunction} / {@link ActivationMath} that they equal to float precision
 * (within 2 ulp of the double result rounded to float, or 2e-7 relative; FloatActivationsTest sweeps them).
 *
 * <p>Every one is built on e^a for one argument a per element (a = x, -|x| or min(x, 0)):
 * <pre>
 *   a = k ln2 + r,  k = round(a / ln2),  |r| &lt;= ln2 / 2      (ln2 in two parts, hi exact in k * hi: Cody and Waite)
 *   e^r - 1 = r + r^2 P(r)                                  (Cephes' expf polynomial, degree 5)
 *   e^a     = (1 + (e^r - 1)) * 2^(k - k1) * 2^k1,  k1 = k >> 1   (two normal powers of 2: the product may be denormal)
 *           = 2^k (e^r - 1) + 2^k                           (a &lt;= 0, 2^k normal)
 *   e^a - 1 = 2^k (e^r - 1) + (2^k - 1)                     (expm1 without the cancellation of e^a - 1, k &lt;= 0)
 * </pre>
 * For e^x, a is clamped to [-150, 89] first: e^-150 rounds to 0 and e^89 to infinity, so k stays in [-217, 129]
 * and both powers of 2 are normal floats (from 2^-109 on). The others need one power of 2, 2^k (times 2^64 for
 * sigmoid), with a clamped from below where it stays normal and the function has reached its limit. Why in passes over a tile: C2 (JDK 17) vectorises float
 * arithmetic and the int arithmetic between a load and a store of the bits, but not {@code Float.intBitsToFloat}
 * in the middle of a float computation. So one pass computes r's polynomial and k (as the float k + 1.5 * 2^23, whose low bits are k),
 * an int pass turns k into the two powers of 2, and the function's own pass combines them. Each pass is a
 * straight counted loop over arrays of at most {@link #CHUNK} floats, all in L1, all indexed from 0.
 *
 * <p>Special values: NaN stays NaN (r's polynomial carries it: it adds a - a, 0 for any clamped float, NaN for
 * NaN), the infinities give the limits the double formulas give.
 */
final class FloatActivations {

    /** Floats per pass: the three temporaries of CHUNK floats sit in L1 with the tile. */
    static final int CHUNK = 1024;
    /** The calling thread's temporaries t0, t1, t2, and a chunk's copy (see {@link #inChunks}). */
    private static final ThreadLocal<float[][]> TEMPORARIES = ThreadLocal.withInitial(() -> new float[4][CHUNK]);

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: a float in [2^23, 2^24) has ulp 1, so x + MAGIC rounds x to the nearest integer k, its low bits. */
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = 0x4B400000;
    private static final float MIN_ARG = -150f;
    /** sigmoid's and silu's clamp: 2^(k + 64) stays normal down to k = -189, and sigmoid(-131) rounds to 0. */
    private static final float SIGMOID_MIN_ARG = -131f;
    /** elu's and selu's: 2^k stays normal down to k = -126, and e^-87 - 1 rounds to -1. */
    private static final float ELU_MIN_ARG = -87f;
    private static final float MAX_ARG = 89f;
    /** sigmoid and silu compute e^a scaled by 2^64, normal where e^a is denormal. */
    private static final int SIGMOID_EXTRA = 64;
    private static final float TWO_64 = 0x1p64f;
    private static final float TWO_M64 = 0x1p-64f;
    /** x * 2^60, clamped to [0, 1], is 1 for x >= 2^-60, 0 for x &lt;= 0 (below 2^-60, e^-x = 1 and either is right). */
    private static final float STEP = 0x1p60f;
    private static final float LEAKY_SLOPE = (float) ActivationFunction.LEAKY_SLOPE;
    private static final float SELU_SCALE = (float) ActivationFunction.SELU_SCALE;
    private static final float SELU_SCALE_ALPHA = (float) (ActivationFunction.SELU_SCALE * ActivationFunction.SELU_ALPHA);

    /** Which argument a of e^a a function needs, from x. */
    private enum Argument { X, MINUS_ABS, NEGATIVE_PART }

    private FloatActivations() {
    }

    /** v = f(v) over [0, length): these kernels, or the formula in float (piecewise linear), or f's reference. */
    static void apply(ActivationFunction f, float[] v, int length) {
        switch (f) {
            case SIGMOID:
                sigmoid(v, length);
                break;
            case SILU:
                silu(v, length);
                break;
            case ELU:
                elu(v, length);
                break;
            case SELU:
                selu(v, length);
                break;
            case EXPONENTIAL:
                exp(v, length);
                break;
            case RELU6:
                for (int i = 0; i < length; i++) {
                    v[i] = Math.min(Math.max(v[i], 0f), 6f);
                }
                break;
            case HARD_SIGMOID:
                for (int i = 0; i < length; i++) {
                    v[i] = Math.min(Math.max(v[i] + 3f, 0f), 6f) / 6f;
                }
                break;
            case HARD_SILU:
                for (int i = 0; i < length; i++) {
                    v[i] = v[i] * (Math.min(Math.max(v[i] + 3f, 0f), 6f) / 6f);   // x * hard_sigmoid(x), as Keras
                }
                break;
            case LEAKY_RELU:
                for (int i = 0; i < length; i++) {
                    v[i] = Math.max(v[i], 0f) + LEAKY_SLOPE * Math.min(v[i], 0f);
                }
                break;
            case SOFTSIGN:
                for (int i = 0; i < length; i++) {
                    v[i] = v[i] / (Math.abs(v[i]) + 1f);
                }
                break;
            default:   // linear and relu are exact in float there, the rest rounds the double formula
                f.applyReference(v, length);
        }
    }

    /** A kernel on one chunk x[0, n), n &lt;= CHUNK, in place, with the three temporaries. */
    private interface Chunk {
        void run(float[] x, int n, float[] t0, float[] t1, float[] t2);
    }

    /**
     * The kernel over v[0, length), a chunk at a time, each chunk copied to an array of its own first (unless v is
     * one chunk): C2 (JDK 17) does not vectorise a loop over v[at + i] and t[i], two arrays at different unknown
     * offsets (measured: 3 against 0.3 ns a float), so every loop indexes all its arrays from 0.
     */
    private static void inChunks(float[] v, int length, Chunk kernel) {
        float[][] t = TEMPORARIES.get();
        if (length <= CHUNK) {
            kernel.run(v, length, t[0], t[1], t[2]);
            return;
        }
        float[] x = t[3];
        for (int at = 0; at < length; at += CHUNK) {
            int n = Math.min(CHUNK, length - at);
            System.arraycopy(v, at, x, 0, n);
            kernel.run(x, n, t[0], t[1], t[2]);
            System.arraycopy(x, 0, v, at, n);
        }
    }

    /** v = e^v over [0, length). */
    static void exp(float[] v, int length) {
        inChunks(v, length, FloatActivations::expChunk);
    }

    private static void expChunk(float[] x, int n, float[] t0, float[] t1, float[] t2) {
        reduce(x, n, t0, t1, t2, Argument.X, 0);
        for (int i = 0; i < n; i++) {
            x[i] = ((1f + t0[i]) * t1[i]) * t2[i];
        }
    }

    /** v = 1 / (1 + e^-v) over [0, length) (see {@link #scaledSigmoid}). */
    static void sigmoid(float[] v, int length) {
        inChunks(v, length, FloatActivations::sigmoidChunk);
    }

    private static void sigmoidChunk(float[] x, int n, float[] t0, float[] t1, float[] t2) {
        scaledSigmoid(x, n, t0, t1, t2);
        for (int i = 0; i < n; i++) {
            x[i] = t0[i] * TWO_M64;
        }
    }

    /**
     * v = v / (1 + e^-v) (silu, swish) over [0, length), as (min(x, 0) g + max(x, 0) g) 2^-64 with g = sigmoid(x)
     * 2^64 ({@link #scaledSigmoid}): the product x g stays normal where x sigmoid(x) is denormal, and is scaled
     * back once; min(x, 0) clamped at -131 in it (x sigmoid(x) rounds to -0 from x = -109 down). The last term,
     * min(x, 0) * 0, is NaN for x = -inf only, where the double formula's -inf / inf is NaN too.
     */
    static void silu(float[] v, int length) {
        inChunks(v, length, FloatActivations::siluChunk);
    }

    private static void siluChunk(float[] x, int n, float[] t0, float[] t1, float[] t2) {
        scaledSigmoid(x, n, t0, t1, t2);
        for (int i = 0; i < n; i++) {
            float negative = Math.min(x[i], 0f);
            float g = t0[i];
            x[i] = (Math.max(negative, SIGMOID_MIN_ARG) * g) * TWO_M64 + Math.max(x[i], 0f) * (g * TWO_M64) + negative * 0f;
        }
    }

    /**
     * t0[i] = sigmoid(x[i]) * 2^64, i &lt; n: (x &lt; 0 ? E : 2^64) / (1 + e) with e = e^-|x| (never overflows;
     * e / (1 + e) keeps the digits of a tiny sigmoid(x) for x &lt;&lt; 0) and E = e 2^64, normal. Each rounding that
     * float would add, of E = 2^k 2^64 (1 + (e^r - 1)), of 1 + e and of the quotient's first digits, is carried as
     * a second float (Fast2Sum: h = a + b, l = (a - h) + b is a + b - h exactly for |a| >= |b|), then
     * y = (Nh + Nl) / (s + err) ~ q + (Nl - q err) / s with q = Nh / s: about 1 ulp in all. The select x &lt; 0 is
     * the weight min(max(x 2^60, 0), 1), 0 or 1 except below 2^-60, where e = 1 and both numerators are 2^64.
     */
    private static void scaledSigmoid(float[] x, int n, float[] t0, float[] t1, float[] t2) {
        reduce(x, n, t0, t1, t2, Argument.MINUS_ABS, SIGMOID_EXTRA);
        for (int i = 0; i < n; i++) {
            float powerOf2 = t1[i];
            float tail = powerOf2 * t0[i];
            float eHigh = powerOf2 + tail;
            float eLow = (powerOf2 - eHigh) + tail;
            float e = eHigh * TWO_M64;
            float s = 1f + e;
            float err = (e - (s - 1f)) + eLow * TWO_M64;
            float positive = Math.min(Math.max(x[i] * STEP, 0f), 1f);
            float numerator = (1f - positive) * eHigh + positive * TWO_64;
            float q = numerator / s;
            t0[i] = q + ((1f - positive) * eLow - q * err) / s;
        }
    }

    /** v = v > 0 ? v : e^v - 1 (elu, alpha 1) over [0, length), as max(x, 0) + expm1(min(x, 0)). */
    static void elu(float[] v, int length) {
        inChunks(v, length, (x, n, t0, t1, t2) -> scaledElu(x, n, t0, t1, t2, 1f, 1f));
    }

    /** v = s v for v > 0, s a (e^v - 1) otherwise (selu) over [0, length). */
    static void selu(float[] v, int length) {
        inChunks(v, length, (x, n, t0, t1, t2) -> scaledElu(x, n, t0, t1, t2, SELU_SCALE, SELU_SCALE_ALPHA));
    }

    private static void scaledElu(float[] x, int n, float[] t0, float[] t1, float[] t2, float positiveScale,
                                  float negativeScale) {
        reduce(x, n, t0, t1, t2, Argument.NEGATIVE_PART, 0);
        for (int i = 0; i < n; i++) {
            float powerOf2 = t1[i];
            float expm1 = powerOf2 * t0[i] + (powerOf2 - 1f);
            x[i] = positiveScale * Math.max(x[i], 0f) + negativeScale * expm1;
        }
    }

    /**
     * For x[0, n): t0[i] = e^r - 1 (NaN where a is). For a = x: e^a = (1 + t0[i]) * t1[i] * t2[i] with
     * t1[i] = 2^(k - k1), t2[i] = 2^k1. For the other arguments (a &lt;= 0, clamped where one power of 2 stays
     * normal): t1[i] = P = 2^(k + extra), so e^a 2^extra = P t0[i] + P, and (extra = 0) e^a - 1 = P t0[i] + (P - 1).
     */
    private static void reduce(float[] x, int n, float[] t0, float[] t1, float[] t2, Argument argument, int extra) {
        switch (argument) {
            case X:
                for (int i = 0; i < n; i++) {
                    t2[i] = Math.min(Math.max(x[i], MIN_ARG), MAX_ARG);
                }
                break;
            case MINUS_ABS:
                for (int i = 0; i < n; i++) {
                    t2[i] = Math.max(-Math.abs(x[i]), SIGMOID_MIN_ARG);
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    t2[i] = Math.max(Math.min(x[i], 0f), ELU_MIN_ARG);
                }
        }
        for (int i = 0; i < n; i++) {   // r's polynomial, and k + MAGIC
            float a = t2[i];
            float shifted = a * LOG2E + MAGIC;
            float k = shifted - MAGIC;
            float r = a - k * LN2_HI - k * LN2_LO;
            float p = 1.9875691500E-4f;
            p = p * r + 1.3981999507E-3f;
            p = p * r + 8.3334519073E-3f;
            p = p * r + 4.1665795894E-2f;
            p = p * r + 1.6666665459E-1f;
            p = p * r + 5.0000001201E-1f;
            t0[i] = p * r * r + r + (a - a);
            t1[i] = shifted;
        }
        if (argument == Argument.X) {
            for (int i = 0; i < n; i++) {   // the int pass: k from the low bits, two powers of 2 as exponent fields
                int k = Float.floatToRawIntBits(t1[i]) - MAGIC_BITS;
                int k1 = k >> 1;
                t1[i] = Float.intBitsToFloat((k - k1 + 127) << 23);
                t2[i] = Float.intBitsToFloat((k1 + 127) << 23);
            }
        } else {
            int bias = 127 + extra;
            for (int i = 0; i < n; i++) {   // the int pass: k from the low bits, 2^(k + extra) as exponent field
                t1[i] = Float.intBitsToFloat((Float.floatToRawIntBits(t1[i]) - MAGIC_BITS + bias) << 23);
            }
        }
    }
}
