package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.EnumMap;
import java.util.Map;

import dev.convey.blas.NativeEpilogue;
import dev.convey.blas.PackedGemm;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Tensor;

/**
 * What follows a GEMM in a forward pass, element by element, as a value passed down to the kernel:
 * <pre>
 *   y[r, c] = f( (y[r, c] + b[c]) * s[c] + t[c] + residual[r, c] )
 * </pre>
 * the layer's bias b, then (inference only) a BatchNormalization folded in as a per-channel scale s and shift t,
 * the Add of a residual connection, and the activation f. The same float operations in the same order as
 * running the layers one after the other, in one pass while the GEMM's block is in cache.
 *
 * <p>An {@code Epilogue} value holds the parts after the bias; the inference planner builds it by asking each
 * following layer to append itself ({@link Layer#appendToEpilogue}) and hands it to the producing layer
 * ({@link Layer#forwardWithEpilogue}). The layer binds it to its own bias ({@link Bound}) for the kernel.
 * Backward of the bias part: {@link #biasGradient}.
 *
 * <p>Two kernels: the native fused epilogue ({@link NativeEpilogue}, {@code convey_epilogue.h}: one call in place on
 * the output rows, SIMD, no copy), where its library loaded, it has the activation and the CPU has AVX2 or AVX-512
 * (its portable C, scalar double, is slower than Java's vectorised float loops), and the Java one (each tile
 * copied into an array, {@link Scratch#forEachTile}, then {@link #apply(Bound, float[], float[], int, int)}), the
 * reference it equals: bit for bit without a transcendental activation, else within the 2 ulp bound of
 * {@link FloatActivations} (both are within it of the double formulas). {@code -Dconvey.nativeEpilogue=false}
 * (read at each call), or {@code -Dconvey.referenceActivations=true}, runs the Java one.
 */
public final class Epilogue {

    /** The parts a layer can be folded in as, in the only order they may come (see {@link Layer#epilogueStep}). */
    public enum Step { SCALE_SHIFT, RESIDUAL, ACTIVATION }

    /** Nothing after the bias: the plain layer. */
    public static final Epilogue NONE = new Epilogue(null, null, ActivationFunction.LINEAR);

    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    /** The switch to the Java epilogue: {@code -Dconvey.nativeEpilogue=false}. */
    static final String NATIVE_PROPERTY = "convey.nativeEpilogue";
    private static final boolean NATIVE_LOADED = NativeEpilogue.available();
    /** The activations the native kernel computes, by their common name (softmax, gelu, ... stay in Java). */
    private static final Map<ActivationFunction, NativeEpilogue.Activation> NATIVE_ACTIVATIONS = new EnumMap<>(ActivationFunction.class);

    static {
        for (NativeEpilogue.Activation f : NativeEpilogue.Activation.values()) {
            NATIVE_ACTIVATIONS.put(ActivationFunction.valueOf(f.name()), f);
        }
    }
    /** The largest tile an epilogue is applied to at once: whole rows, about 4 {@link Scratch#FLOATS}. */
    private static final int MAX_TILE_FLOATS = 4 * Scratch.FLOATS;

    private final float[][] scaleShift;
    private final Tensor residual;
    private final ActivationFunction activation;

    private Epilogue(float[][] scaleShift, Tensor residual, ActivationFunction activation) {
        this.scaleShift = scaleShift;
        this.residual = residual;
        this.activation = activation;
    }

    /** Appends y = y * s + t ({s, t} per channel); only first, as a batch norm follows the bias. */
    public Epilogue thenScaleShift(float[][] scaleAndShift) {
        require(scaleShift == null && residual == null && activation == ActivationFunction.LINEAR, "a scale and shift");
        return new Epilogue(scaleAndShift, null, activation);
    }

    /** Appends y = y + residual (a tensor of the output's shape); before any activation. */
    public Epilogue thenAdd(Tensor residualTensor) {
        require(residual == null && activation == ActivationFunction.LINEAR, "a residual");
        return new Epilogue(scaleShift, residualTensor, activation);
    }

    /** Appends y = f(y); last. */
    public Epilogue thenActivation(ActivationFunction f) {
        require(activation == ActivationFunction.LINEAR, "an activation");
        return new Epilogue(scaleShift, residual, f);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("Cannot append " + what + " here: the epilogue's order is scale and shift,"
                    + " residual, activation, each at most once");
        }
    }

    /** The folded {scale, shift} (per channel each), or null. */
    public float[][] scaleShift() {
        return scaleShift;
    }

    /** The residual tensor added, or null. */
    public Tensor residual() {
        return residual;
    }

    public ActivationFunction activation() {
        return activation;
    }

    /**
     * The per-channel constants of an epilogue, bias b, scale s and shift t (each may be absent), every one
     * repeated over as many rows as the largest tile it is applied to. HotSpot vectorises a loop whose arrays
     * all share its index, y[i] = y[i] * s[i] + t[i], but not the same loop row by row, y[row + c] = y[row + c] *
     * s[c] + t[c] (measured on 256 channels: 0.09 against 0.45 to 0.9 ns a float). Layers keep them while their
     * sources are unchanged (see {@link #isOf}).
     */
    static final class Channels {

        static final Channels NONE = new Channels(null, null, 1);

        final float[] bias;
        final float[] scale;
        final float[] shift;
        final int span;
        /** b, s and t as direct buffers (cols floats each) for the native kernel, where it loaded. */
        final FloatBuffer nativeBias;
        final FloatBuffer nativeScale;
        final FloatBuffer nativeShift;
        private final float[] biasSource;
        private final float[][] scaleShiftSource;

        /** b (cols) and {s, t} (cols each), either may be null. */
        Channels(float[] b, float[][] scaleShift, int cols) {
            span = cols * Math.max(4, MAX_TILE_FLOATS / cols);
            biasSource = b;
            scaleShiftSource = scaleShift;
            bias = b == null ? null : Scratch.repeat(b, new float[span]);
            scale = scaleShift == null ? null : Scratch.repeat(scaleShift[0], new float[span]);
            shift = scaleShift == null ? null : Scratch.repeat(scaleShift[1], new float[span]);
            nativeBias = NATIVE_LOADED ? direct(b) : null;
            nativeScale = NATIVE_LOADED && scaleShift != null ? direct(scaleShift[0]) : null;
            nativeShift = NATIVE_LOADED && scaleShift != null ? direct(scaleShift[1]) : null;
        }

        private static FloatBuffer direct(float[] values) {
            return values == null ? null : Tensor.zeros(values.length).data().put(0, values);   // direct, native order
        }

        /** Whether these are the constants of exactly these arrays (the sources are cached until they change). */
        boolean isOf(float[] b, float[][] scaleShift) {
            return biasSource == b && scaleShiftSource == scaleShift;
        }

        /** These constants if they are of b and scaleShift, else new ones. */
        Channels reuseFor(float[] b, float[][] scaleShift, int cols) {
            return isOf(b, scaleShift) ? this : new Channels(b, scaleShift, cols);
        }
    }

    /** An epilogue bound to a layer's bias, as the kernels apply it: constants, residual buffer (or null), f. */
    record Bound(Channels channels, FloatBuffer residual, ActivationFunction activation) {

        static final Bound NONE = new Bound(Channels.NONE, null, ActivationFunction.LINEAR);

        boolean isIdentity() {
            return channels.bias == null && channels.scale == null && residual == null
                    && activation == ActivationFunction.LINEAR;
        }

        /** This epilogue for image n alone, of {@code floatsPerImage} output floats (its rows of the residual). */
        Bound image(int n, int floatsPerImage) {
            return residual == null ? this
                    : new Bound(channels, residual.slice(n * floatsPerImage, floatsPerImage), activation);
        }
    }

    /** This epilogue after the bias of {@code channels} (whose scale and shift must be this epilogue's). */
    Bound bind(Channels channels) {
        return new Bound(channels, residual == null ? null : residual.data(), activation);
    }

    /** y[r, :] = f(y[r, :] + b) for rows [r0, r1) of a row-major matrix with {@code cols} columns. */
    static void addAndActivate(FloatBuffer y, int r0, int r1, int cols, Channels bias, ActivationFunction f) {
        apply(new Bound(bias, null, f), y, r0, r1, cols);
    }

    /** The epilogue on rows [r0, r1) of a row-major matrix y with {@code cols} columns (the residual's rows alike). */
    static void apply(Bound e, FloatBuffer y, int r0, int r1, int cols) {
        apply(e, y, y, r0, r1, cols);
    }

    /** y = the epilogue of x, rows [r0, r1) of two row-major matrices with {@code cols} columns (may be the same). */
    static void apply(Bound e, FloatBuffer x, FloatBuffer y, int r0, int r1, int cols) {
        if (e.isIdentity()) {
            if (x != y) {
                y.put(r0 * cols, x, r0 * cols, (r1 - r0) * cols);
            }
            return;
        }
        if (runsNatively(e, x, y)) {
            Parallel.range(r1 - r0, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (start, end) ->
                    applyNatively(e, x, y, (r0 + start) * cols, end - start, cols));
            return;
        }
        Parallel.range(r1 - r0, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (start, end) ->
                Scratch.forEachTile((r0 + start) * cols, end - start, cols, x, e.residual(), null, y,
                        (tile, residual, unused, length) -> apply(e, tile, residual, length, cols)));
    }

    /** The native kernel's activation for f, if the native epilogue runs now (see the class comment), else null. */
    static NativeEpilogue.Activation nativeActivation(ActivationFunction f) {
        if (!NATIVE_LOADED || "false".equals(System.getProperty(NATIVE_PROPERTY))
                || Boolean.getBoolean(ActivationFunction.REFERENCE_PROPERTY) || NativeEpilogue.isa() == PackedGemm.Isa.SCALAR) {
            return null;
        }
        return NATIVE_ACTIVATIONS.get(f);
    }

    /** Whether the native kernel runs epilogue e from x into y (direct buffers, as Tensor allocates them). */
    static boolean runsNatively(Bound e, FloatBuffer x, FloatBuffer y) {
        return nativeActivation(e.activation()) != null && x.isDirect() && y.isDirect()
                && (e.residual() == null || e.residual().isDirect());
    }

    /**
     * The epilogue, natively ({@link #runsNatively} must hold), on {@code rows} rows of {@code cols} floats from float
     * {@code offset} on of x into y (the residual's floats alike), on the calling thread.
     */
    static void applyNatively(Bound e, FloatBuffer x, FloatBuffer y, int offset, int rows, int cols) {
        Channels k = e.channels();
        NativeEpilogue.apply(nativeActivation(e.activation()), rows, cols, x, offset, cols, y, offset, cols,
                k.nativeBias, k.nativeScale, k.nativeShift, e.residual(), offset, cols);
    }

    /**
     * The epilogue on the first {@code length} floats (whole rows of {@code cols}, at most the constants' span) of
     * an array, with the residual's values for them in {@code residual} (same layout; ignored without one).
     */
    static void apply(Bound e, float[] tile, float[] residual, int length, int cols) {
        Channels k = e.channels();
        if (length > k.span && (k.bias != null || k.scale != null)) {
            throw new IllegalStateException("epilogue tile of " + length + " floats, longer than its constants ("
                    + k.span + ")");
        }
        NativeEpilogue.Activation nativeF = nativeActivation(e.activation());
        if (nativeF != null && length % cols == 0) {
            NativeEpilogue.apply(nativeF, length / cols, cols, tile, k.bias, k.scale, k.shift,
                    e.residual() == null ? null : residual);
            return;
        }
        if (k.bias != null) {
            add(tile, k.bias, length);
        }
        if (k.scale != null) {
            scaleAndShift(tile, k.scale, k.shift, length);
        }
        if (e.residual() != null) {
            add(tile, residual, length);
        }
        e.activation().apply(tile, length, cols);
    }

    /** y[i] += x[i] ({@link Scratch#add}). */
    static void add(float[] y, float[] x, int length) {
        Scratch.add(y, x, length);
    }

    /** y[i] = y[i] * s[i] + t[i]. */
    private static void scaleAndShift(float[] y, float[] s, float[] t, int length) {
        for (int i = 0; i < length; i++) {
            y[i] = y[i] * s[i] + t[i];
        }
    }

    /**
     * The bias' backward: db[c] = sum over the rows of dz[r, c]. From 16 channels up by
     * {@link BatchNormKernels#columnSums} (compensated float tile sums folded into double, vectorised); the loop
     * here, in double per core then merged, is the reference it equals, and runs below that.
     */
    static void biasGradient(FloatBuffer dz, int rows, int cols, Tensor db) {
        double[] fast = BatchNormKernels.columnSums(dz, rows, cols);
        double[] total = fast != null ? fast : new double[cols];
        if (fast == null) {
            Parallel.range(rows, Math.max(1, MIN_FLOATS_PER_CHUNK / cols), (r0, r1) -> {
                double[] partial = new double[cols];
                Scratch.forEachTile(r0 * cols, r1 - r0, cols, dz, null, null, null, (tile, unused, unused2, length) -> {
                    for (int row = 0; row < length; row += cols) {
                        for (int c = 0; c < cols; c++) {
                            partial[c] += tile[row + c];
                        }
                    }
                });
                synchronized (total) {
                    for (int c = 0; c < cols; c++) {
                        total[c] += partial[c];
                    }
                }
            });
        }
        for (int c = 0; c < cols; c++) {
            db.data().put(c, (float) total[c]);
        }
    }
}
