package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * The fast float activations ({@link FloatActivations}, what {@link ActivationFunction#apply} runs) against the
 * double reference formulas ({@link ActivationFunction#applyReference}: {@code value(x)} rounded once), over about
 * 1.5 million floats: every 4099th bit pattern (all magnitudes, denormals included, both signs), a dense sweep of
 * [-110, 110] and of [-1e-3, 1e-3], and the special values. The error bound is 2 ulp of the reference rounded to
 * float or 2e-7 relative (the relative bound matters only away from 0 and the denormals, where it is the
 * tighter one of the two in a binade's lower half); NaN must stay NaN and the infinities must be the reference's.
 */
class FloatActivationsTest {

    private static final double MAX_ULPS = 2;
    /** Where the error exceeds 2 ulp (silu, by up to 0.2 ulp), it must stay within this relative one. */
    private static final double MAX_RELATIVE = 2e-7;

    private static final ActivationFunction[] FAST = {
        ActivationFunction.SIGMOID, ActivationFunction.SILU, ActivationFunction.EXPONENTIAL,
        ActivationFunction.ELU, ActivationFunction.SELU, ActivationFunction.RELU6, ActivationFunction.HARD_SIGMOID,
        ActivationFunction.HARD_SILU, ActivationFunction.LEAKY_RELU, ActivationFunction.SOFTSIGN, ActivationFunction.RELU,
    };

    /** The sweep (see the class comment), shared with NativeEpilogueTest. */
    static float[] inputs() {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            -Float.NaN, Float.intBitsToFloat(0x7F800001), 87.33655f, -87.33655f, 88.72283f, 88.72284f, -88.72283f,
            103.97208f, -103.97208f, 104f, -104f, 89f, -89f, 100f, -100f, 0x1p-60f, -0x1p-60f, 0x1p-25f, -0x1p-25f,
            3f, -3f, 6f, 0.34657359f, -0.34657359f, 1.0397208f, -1.0397208f};
        int sweep = 220_001;
        int small = 200_001;
        int strided = (int) ((1L << 32) / 4099) + 1;
        float[] x = Arrays.copyOf(special, special.length + sweep + small + strided);
        int n = special.length;
        for (int i = 0; i < sweep; i++) {
            x[n++] = -110f + i * 0.001f;
        }
        for (int i = 0; i < small; i++) {
            x[n++] = -1e-3f + i * 1e-8f;
        }
        for (long bits = 0; bits < (1L << 32) && n < x.length; bits += 4099) {
            x[n++] = Float.intBitsToFloat((int) bits);
        }
        return Arrays.copyOf(x, n);
    }

    @Test
    void fastKernelsAreWithinTwoUlpOfTheDoubleReference() {
        float[] x = inputs();
        StringBuilder failures = new StringBuilder();
        for (ActivationFunction f : FAST) {
            float[] fast = x.clone();
            // tiles as the layers hand them over: several lengths, not all multiples of the kernels' chunk
            for (int at = 0, len = 1; at < fast.length; at += len, len = len * 3 % 9973 + 1) {
                float[] tile = Arrays.copyOfRange(fast, at, Math.min(fast.length, at + len));
                f.apply(tile, tile.length, tile.length);
                System.arraycopy(tile, 0, fast, at, tile.length);
            }
            failures.append(check(f.toString(), f, x, fast));
        }
        assertTrue(failures.length() == 0, failures.toString());
    }

    /**
     * got[i] against f's double reference at x[i] (the bound of the class comment), the worst error printed under
     * {@code name}; returns the failures, empty if none. Asserts NaN and the infinities at once.
     */
    static String check(String name, ActivationFunction f, float[] x, float[] got) {
        return check(name, f, x, got, true);
    }

    /** {@link #check(String, ActivationFunction, float[], float[])}, the worst error printed or not. */
    static String check(String name, ActivationFunction f, float[] x, float[] got, boolean print) {
        StringBuilder failures = new StringBuilder();
        double worst = 0;
        double worstRelative = 0;
        float worstX = 0;
        for (int i = 0; i < x.length; i++) {
            double ref = f == ActivationFunction.RELU ? Math.max(x[i], 0f) : f == ActivationFunction.LINEAR ? x[i] : f.value(x[i]);
            String at = name + "(" + x[i] + ") = " + got[i] + ", reference " + ref;
            if (Double.isNaN(ref)) {
                assertTrue(Float.isNaN(got[i]), at);
                continue;
            }
            if (Float.isInfinite((float) ref)) {
                assertEquals((float) ref, got[i], at);
                continue;
            }
            assertTrue(Float.isFinite(got[i]), at);
            double ulps = Math.abs(got[i] - ref) / Math.ulp((float) ref);
            double relative = Math.abs(got[i] - ref) / Math.abs(ref);
            worstRelative = Math.max(worstRelative, ulps > MAX_ULPS ? relative : 0);
            if (ulps > MAX_ULPS && relative > MAX_RELATIVE) {
                failures.append(at + " (" + ulps + " ulp, relative " + relative + "); ");
            }
            if (ulps > worst) {
                worst = ulps;
                worstX = x[i];
            }
        }
        if (print) {
            System.out.printf(java.util.Locale.ROOT, "%s: at most %.2f ulp (at x = %s), relative %.2e where over %.0f ulp%n",
                    name, worst, worstX, worstRelative, MAX_ULPS);
        }
        return failures.toString();
    }

    @Test
    void referenceSwitchRunsTheDoubleFormulas() {
        float[] v = {-2f, -0.5f, 0.25f, 3f};
        float[] viaSwitch = v.clone();
        System.setProperty(ActivationFunction.REFERENCE_PROPERTY, "true");
        try {
            ActivationFunction.SILU.apply(viaSwitch, v.length, v.length);
        } finally {
            System.clearProperty(ActivationFunction.REFERENCE_PROPERTY);
        }
        for (int i = 0; i < v.length; i++) {
            assertEquals((float) (v[i] / (1 + Math.exp(-(double) v[i]))), viaSwitch[i], v[i] + "");
        }
    }
}
