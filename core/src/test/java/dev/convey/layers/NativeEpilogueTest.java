package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.convey.blas.NativeEpilogue;
import dev.convey.blas.PackedGemm;
import dev.convey.tensor.Tensor;

/**
 * The native fused epilogue ({@link NativeEpilogue}, convey_epilogue.h) against its references, with every kernel
 * set this CPU runs (forced by {@code convey.nativeEpilogue.isa}): each activation over FloatActivationsTest's
 * sweep (1.5 million floats, special values included) against the double formulas, within the same bound; and
 * whole epilogues (bias, scale and shift, residual, each with and without; odd column counts, row strides
 * above the column count) against the Java epilogue, bit for bit where the float operations are the same
 * (everything but the transcendental activations), within the bound of the double formula otherwise.
 */
class NativeEpilogueTest {

    /** Computed in float with the Java kernels' operations: the same bits. */
    private static final ActivationFunction[] PIECEWISE_LINEAR = {
        ActivationFunction.LINEAR, ActivationFunction.RELU, ActivationFunction.RELU6, ActivationFunction.LEAKY_RELU,
        ActivationFunction.HARD_SIGMOID, ActivationFunction.HARD_SILU, ActivationFunction.SOFTSIGN,
    };

    @BeforeEach
    void requireLibrary() {
        Assumptions.assumeTrue(NativeEpilogue.available(), "the native epilogue did not load");
    }

    @AfterEach
    void clearProperties() {
        System.clearProperty("convey.nativeEpilogue.isa");
        System.clearProperty(Epilogue.NATIVE_PROPERTY);
    }

    /** The kernel sets this CPU runs, each forced in turn. */
    private static List<PackedGemm.Isa> isas() {
        List<PackedGemm.Isa> isas = new ArrayList<>();
        for (PackedGemm.Isa isa : PackedGemm.Isa.values()) {
            if (isa.ordinal() <= PackedGemm.best().ordinal()) {
                isas.add(isa);
            }
        }
        return isas;
    }

    private static void force(PackedGemm.Isa isa) {
        System.setProperty("convey.nativeEpilogue.isa", isa.name().toLowerCase(java.util.Locale.ROOT));
        assertEquals(isa, NativeEpilogue.isa());
    }

    @Test
    void everyKernelSetIsWithinTwoUlpOfTheDoubleReference() {
        float[] x = FloatActivationsTest.inputs();
        FloatBuffer buffer = Tensor.zeros(x.length).data();
        StringBuilder failures = new StringBuilder();
        for (PackedGemm.Isa isa : isas()) {
            force(isa);
            for (NativeEpilogue.Activation nf : NativeEpilogue.Activation.values()) {
                ActivationFunction f = ActivationFunction.valueOf(nf.name());
                buffer.put(0, x);
                // rows of several lengths, not all multiples of 8 or 16
                for (int at = 0, len = 1; at < x.length; at += len, len = len * 3 % 9973 + 1) {
                    int n = Math.min(x.length - at, len);
                    NativeEpilogue.apply(nf, 1, n, buffer, at, n, buffer, at, n, null, null, null, null, 0, n);
                }
                float[] got = new float[x.length];
                buffer.get(0, got);
                failures.append(FloatActivationsTest.check("native " + isa + " " + f, f, x, got));
                if (Arrays.asList(PIECEWISE_LINEAR).contains(f)) {
                    float[] java = x.clone();
                    FloatActivations.apply(f, java, java.length);
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(Float.floatToRawIntBits(java[i]) , Float.floatToRawIntBits(got[i]),
                                isa + " " + f + "(" + x[i] + "): native " + got[i] + ", Java " + java[i]);
                    }
                }
            }
        }
        assertTrue(failures.length() == 0, failures.toString());
    }

    @Test
    void nativeEpilogueEqualsTheJavaEpilogueOnRandomTiles() {
        Random random = new Random(11);
        int rows = 5;
        for (PackedGemm.Isa isa : isas()) {
            force(isa);
            for (NativeEpilogue.Activation nf : NativeEpilogue.Activation.values()) {
                ActivationFunction f = ActivationFunction.valueOf(nf.name());
                for (int cols : new int[] {1, 7, 8, 13, 16, 33, 69}) {
                    for (int parts = 0; parts < 8; parts++) {
                        boolean bias = (parts & 1) != 0;
                        boolean scaleShift = (parts & 2) != 0;
                        boolean residual = (parts & 4) != 0;
                        checkTile(random, isa, f, nf, rows, cols, bias, scaleShift, residual);
                    }
                }
            }
        }
    }

    /** One random tile, natively with row stride cols + 3 and by the Java epilogue on a contiguous copy. */
    private static void checkTile(Random random, PackedGemm.Isa isa, ActivationFunction f, NativeEpilogue.Activation nf,
                                  int rows, int cols, boolean bias, boolean scaleShift, boolean residual) {
        int ld = cols + 3;
        float[] b = bias ? randoms(random, cols, 1) : null;
        float[][] st = scaleShift ? new float[][] {randoms(random, cols, 2), randoms(random, cols, 1)} : null;
        Epilogue.Channels channels = new Epilogue.Channels(b, st, cols);
        float[] x = randoms(random, rows * ld, 6);
        float[] r = randoms(random, rows * ld, 2);
        FloatBuffer y = Tensor.zeros(rows * ld).data().put(0, x);
        FloatBuffer rBuffer = Tensor.zeros(rows * ld).data().put(0, r);
        NativeEpilogue.apply(nf, rows, cols, y, 0, ld, y, 0, ld, channels.nativeBias, channels.nativeScale,
                channels.nativeShift, residual ? rBuffer : null, 0, ld);

        System.setProperty(Epilogue.NATIVE_PROPERTY, "false");
        float[] java = packed(x, rows, cols, ld);
        float[] preActivation = java.clone();
        float[] packedResidual = packed(r, rows, cols, ld);
        Epilogue.apply(new Epilogue.Bound(channels, residual ? rBuffer : null, f), java, packedResidual, rows * cols, cols);
        Epilogue.apply(new Epilogue.Bound(channels, residual ? rBuffer : null, ActivationFunction.LINEAR), preActivation,
                packedResidual, rows * cols, cols);
        System.clearProperty(Epilogue.NATIVE_PROPERTY);

        String what = isa + " " + f + " cols " + cols + (bias ? " +bias" : "") + (scaleShift ? " +scale/shift" : "")
                + (residual ? " +residual" : "");
        boolean exact = Arrays.asList(PIECEWISE_LINEAR).contains(f);
        float[] got = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < ld; j++) {
                float v = y.get(i * ld + j);
                if (j >= cols) {
                    assertEquals(Float.floatToRawIntBits(x[i * ld + j]), Float.floatToRawIntBits(v), what + ": gap written");
                    continue;
                }
                got[i * cols + j] = v;
                if (exact) {
                    assertEquals(Float.floatToRawIntBits(java[i * cols + j]), Float.floatToRawIntBits(v),
                            what + " at " + i + "," + j + ": native " + v + ", Java " + java[i * cols + j]);
                } else {
                    double ulp = Math.ulp(java[i * cols + j]);
                    assertTrue(v == java[i * cols + j] || Math.abs(v - java[i * cols + j]) <= 4 * ulp, what + ": native " + v + ", Java " + java[i * cols + j]);
                }
            }
        }
        if (!exact) {
            String failures = FloatActivationsTest.check(what, f, preActivation, got, false);
            assertTrue(failures.isEmpty(), failures);
        }
    }

    @Test
    void theEpilogueRunsNativelyUnlessSwitchedOff() {
        FloatBuffer y = Tensor.zeros(4).data();
        Epilogue.Bound silu = new Epilogue.Bound(Epilogue.Channels.NONE, null, ActivationFunction.SILU);
        assertTrue(Epilogue.runsNatively(silu, y, y));
        System.setProperty(Epilogue.NATIVE_PROPERTY, "false");
        assertTrue(!Epilogue.runsNatively(silu, y, y));
        System.clearProperty(Epilogue.NATIVE_PROPERTY);
        assertTrue(!Epilogue.runsNatively(new Epilogue.Bound(Epilogue.Channels.NONE, null, ActivationFunction.SOFTMAX), y, y));
        // through the layers' entry point: the same outputs both ways (silu: within the bound)
        Random random = new Random(5);
        float[] x = randoms(random, 3 * 40, 8);
        float[] b = randoms(random, 40, 1);
        Epilogue.Channels channels = new Epilogue.Channels(b, null, 40);
        FloatBuffer viaNative = Tensor.zeros(x.length).data().put(0, x);
        FloatBuffer viaJava = Tensor.zeros(x.length).data().put(0, x);
        Epilogue.addAndActivate(viaNative, 0, 3, 40, channels, ActivationFunction.SILU);
        System.setProperty(Epilogue.NATIVE_PROPERTY, "false");
        Epilogue.addAndActivate(viaJava, 0, 3, 40, channels, ActivationFunction.SILU);
        for (int i = 0; i < x.length; i++) {
            assertEquals(viaJava.get(i), viaNative.get(i), 4 * Math.ulp(viaJava.get(i)), "at " + i);
        }
    }

    @Test
    void badShapesAreExceptionsNotCrashes() {
        FloatBuffer y = Tensor.zeros(10).data();
        NativeEpilogue.Activation relu = NativeEpilogue.Activation.RELU;
        assertThrows(IllegalArgumentException.class, () -> NativeEpilogue.apply(relu, 3, 4, y, 0, 4, y, 0, 4, null, null, null, null, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> NativeEpilogue.apply(relu, 2, 4, y, 0, 3, y, 0, 4, null, null, null, null, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> NativeEpilogue.apply(relu, 2, 4, y, 0, 4, y, 0, 4, Tensor.zeros(3).data(), null, null, null, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> NativeEpilogue.apply(relu, 2, 4, y, 0, 4, y, 0, 4, null, y, null, null, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> NativeEpilogue.apply(relu, 2, 4, y, 0, 4, y, 0, 4, null, null, null, FloatBuffer.allocate(8), 0, 4));
        assertThrows(IllegalArgumentException.class, () -> NativeEpilogue.apply(relu, 2, 4, new float[7], null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> NativeEpilogue.apply(relu, 2, 4, new float[8], new float[3], null, null, null));
    }

    private static float[] randoms(Random random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    private static float[] packed(float[] strided, int rows, int cols, int ld) {
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(strided, i * ld, out, i * cols, cols);
        }
        return out;
    }
}
