package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code DepthwiseConv2D}: each input channel convolved with its own {@code depth_multiplier} filters (no
 * sum over channels), the first half of a separable convolution (MobileNet, Xception, EfficientNet):
 * <pre>
 *   y[n, oh, ow, c*M + q] = act( b[c*M + q] + sum_{i, j} x[n, ih, iw, c] * K[i, j, c, q] )
 * </pre>
 * with the kernel {@code depthwise_kernel (kh, kw, C, M)} and {@code bias (C*M,)} in Keras' shapes and order, and
 * the strides, {@code same}/{@code valid} padding and dilation of {@link Conv2D} (TensorFlow's rule, see
 * {@link Padding}). The arithmetic and its gradients are in {@link DepthwiseKernels}; this file drives them over
 * the batch: forward splits output rows over the cores, backward splits images (two images never share an input
 * pixel's gradient), each thread with its own row workspaces and weight-gradient partials.
 */
public final class DepthwiseConv2D extends BaseConv<DepthwiseConv2D> {

    private int depthMultiplier = 1;

    private Tensor input;
    private Window2D geometry;
    private Tensor output;
    private Tensor preActivation;   // kept only for an activation whose gradient needs it
    private Tensor preActivationGradient;
    private Tensor inputGradient;
    // k_ij rows (see DepthwiseKernels), for kernel version tapsVersion and output width tapsWidth
    private float[][] taps;
    private long tapsVersion = -1;
    private int tapsWidth = -1;
    private final Workspace[] workspaces = new Workspace[Parallel.threads()];

    /** Keras' {@code DepthwiseConv2D(kernel_size)} with a square kernel. */
    public DepthwiseConv2D(int kernelSize) {
        this(new int[] {kernelSize});
    }

    /** Keras' {@code DepthwiseConv2D((kh, kw))}. */
    public DepthwiseConv2D(int[] kernelSize) {
        super("depthwise_conv2d", kernelSize);
    }

    // ---------------------------------------------------------------- configuration

    /** Keras' {@code depth_multiplier}: output channels per input channel (default 1). */
    public DepthwiseConv2D depthMultiplier(int m) {
        LayerArgs.requireUnbuilt(this, "depth_multiplier");
        this.depthMultiplier = LayerArgs.positive(this, "depth_multiplier", m);
        return this;
    }

    public int depthMultiplier() {
        return depthMultiplier;
    }

    /** Keras 3's {@code DepthwiseConv2D.get_config()}: {@link BaseConv}'s keys, then depth_multiplier. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("depth_multiplier", depthMultiplier);
        return c;
    }

    // ---------------------------------------------------------------- shapes and weights

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] hw = Window2D.outputHeightWidth(this, inputShapes, kernelSize, strides, dilationRate, padding);
        int channels = inputShapes[0][2];
        if (channels < 1) {
            throw shapeError("the channel axis must be known, got input shape " + shapesToString(inputShapes, true));
        }
        return new int[] {hw[0], hw[1], channels * depthMultiplier};
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int channels = inputShapes[0][2];
        kernel = addWeight("depthwise_kernel", new int[] {kernelSize[0], kernelSize[1], channels, depthMultiplier},
                Initializer.GLOROT_UNIFORM, true);
        if (useBias) {
            bias = addWeight("bias", new int[] {channels * depthMultiplier}, Initializer.ZEROS, true);
        }
    }

    // ---------------------------------------------------------------- forward

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        input = inputs[0];
        Window2D g = Window2D.of(input.shape(), kernelSize, strides, dilationRate, padding);
        geometry = g;
        int cm = g.channels() * depthMultiplier;
        output = Tensor.reuse(output, g.batch(), g.outH(), g.outW(), cm);
        Tensor keep = activation.needsInput() ? preActivation = Tensor.reuse(preActivation, output.shape()) : null;
        float[][] k = taps(g);
        float[] biasRow = useBias ? DepthwiseKernels.repeat(bias.valueArray(), g.outW()) : null;
        int rows = g.batch() * g.outH();
        int threads = Math.min(Parallel.threads(), rows);
        Parallel.range(threads, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                Workspace w = workspace(t, g);
                for (int r = rows * t / threads; r < rows * (t + 1) / threads; r++) {
                    int n = r / g.outH();
                    int oh = r % g.outH();
                    if (biasRow == null) {
                        Arrays.fill(w.acc, 0f);
                    } else {
                        System.arraycopy(biasRow, 0, w.acc, 0, w.acc.length);
                    }
                    float[][] xRows = w.inputRows(g, input.data(), n, oh);
                    DepthwiseKernels.forwardRow(g, depthMultiplier, xRows, k, w.acc, w.work);
                    if (keep != null) {
                        keep.data().put(r * w.acc.length, w.acc, 0, w.acc.length);
                    }
                    activation.apply(w.acc, w.acc.length, cm);
                    output.data().put(r * w.acc.length, w.acc, 0, w.acc.length);
                }
            }
        });
        return output;
    }

    /** k_ij rows of the current kernel, recomputed after it changed (see Parameter.changed) or the width did. */
    private float[][] taps(Window2D g) {
        if (taps == null || tapsVersion != kernel.version() || tapsWidth != g.outW()) {
            taps = DepthwiseKernels.tapRows(g, depthMultiplier, kernel.valueArray());
            tapsVersion = kernel.version();
            tapsWidth = g.outW();
        }
        return taps;
    }

    private Workspace workspace(int t, Window2D g) {
        int rowFloats = g.outW() * g.channels() * depthMultiplier;
        if (workspaces[t] == null || !workspaces[t].fits(g, rowFloats)) {
            workspaces[t] = new Workspace(g, rowFloats);
        }
        return workspaces[t];
    }

    // ---------------------------------------------------------------- backward

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        Tensor dz = outputGradient;
        if (activation != ActivationFunction.LINEAR) {
            preActivationGradient = Tensor.reuse(preActivationGradient, output.shape());
            activation.backward(activation.needsInput() ? preActivation : null, output, outputGradient,
                    preActivationGradient);
            dz = preActivationGradient;
        }
        Window2D g = geometry;
        int cm = g.channels() * depthMultiplier;
        boolean inputNeeded = inputGradientNeeded[0];
        if (inputNeeded) {
            inputGradient = Tensor.reuse(inputGradient, input.shape());
        }
        if (weightGradients && useBias) {
            Epilogue.biasGradient(dz.data(), g.outputPixels(), cm, bias.gradient());
        }
        float[][] k = taps(g);
        int threads = Math.min(Parallel.threads(), g.batch());
        Tensor dzFinal = dz;
        Parallel.range(threads, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                Workspace w = workspace(t, g);
                w.clearKernelGradient(weightGradients);
                for (int n = g.batch() * t / threads; n < g.batch() * (t + 1) / threads; n++) {
                    backwardImage(g, w, k, dzFinal.data(), n, weightGradients, inputNeeded);
                }
            }
        });
        if (weightGradients) {
            sumKernelGradient(g, threads);
        }
        return new Tensor[] {inputNeeded ? inputGradient : null};
    }

    private void backwardImage(Window2D g, Workspace w, float[][] k, FloatBuffer dz, int n, boolean weightGradients,
                               boolean inputNeeded) {
        if (inputNeeded) {
            if (w.dxImage == null) {
                w.dxImage = new float[g.height()][g.width() * g.channels()];
            }
            for (float[] row : w.dxImage) {
                Arrays.fill(row, 0f);
            }
        }
        float[][] dxRows = inputNeeded ? new float[g.kernelH()][] : null;
        for (int oh = 0; oh < g.outH(); oh++) {
            dz.get((n * g.outH() + oh) * w.acc.length, w.acc, 0, w.acc.length);
            float[][] xRows = w.inputRows(g, input.data(), n, oh);
            if (inputNeeded) {
                for (int i = 0; i < g.kernelH(); i++) {
                    int ih = g.inputRow(oh, i);
                    dxRows[i] = ih >= 0 && ih < g.height() ? w.dxImage[ih] : null;
                }
            }
            DepthwiseKernels.backwardRow(g, depthMultiplier, xRows, k, w.acc, weightGradients ? w.kernelGradient : null,
                    dxRows, w.work, w.tmp);
        }
        if (inputNeeded) {
            int rowFloats = g.width() * g.channels();
            for (int ih = 0; ih < g.height(); ih++) {
                inputGradient.data().put(g.inputOffset(n, ih, 0), w.dxImage[ih], 0, rowFloats);
            }
        }
    }

    /** dK[tap, c*M + q] = the sum over threads and output columns of the per-column partials. */
    private void sumKernelGradient(Window2D g, int threads) {
        int cm = g.channels() * depthMultiplier;
        int taps = g.kernelH() * g.kernelW();
        float[] dk = new float[taps * cm];
        for (int t = 0; t < threads; t++) {
            for (int tap = 0; tap < taps; tap++) {
                float[] partial = workspaces[t].kernelGradient[tap];
                for (int ow = 0; ow < g.outW(); ow++) {
                    for (int c = 0; c < cm; c++) {
                        dk[tap * cm + c] += partial[ow * cm + c];
                    }
                }
            }
        }
        kernel.gradient().data().put(0, dk);
    }

    /** One thread's row arrays: input rows, the accumulator, gathered taps, and for backward the gradients. */
    private static final class Workspace {
        final Window2D shape;
        final float[][] xRows;
        final float[] acc;
        final float[] work;
        final float[] tmp;
        float[][] dxImage;
        final float[][] kernelGradient;

        Workspace(Window2D g, int rowFloats) {
            shape = g;
            xRows = new float[g.kernelH()][];
            acc = new float[rowFloats];
            work = new float[rowFloats];
            tmp = new float[rowFloats];
            kernelGradient = new float[g.kernelH() * g.kernelW()][rowFloats];
        }

        boolean fits(Window2D g, int rowFloats) {
            return acc.length == rowFloats && shape.height() == g.height() && shape.width() == g.width()
                    && shape.channels() == g.channels() && shape.kernelH() == g.kernelH()
                    && shape.kernelW() == g.kernelW();
        }

        /** The image rows ih(oh, i) of image n for each kernel row i, copied out of x; null in the padding. */
        float[][] inputRows(Window2D g, FloatBuffer x, int n, int oh) {
            int rowFloats = g.width() * g.channels();
            float[][] rows = new float[g.kernelH()][];
            for (int i = 0; i < g.kernelH(); i++) {
                int ih = g.inputRow(oh, i);
                if (ih >= 0 && ih < g.height()) {
                    if (xRows[i] == null) {
                        xRows[i] = new float[rowFloats];
                    }
                    x.get(g.inputOffset(n, ih, 0), xRows[i], 0, rowFloats);
                    rows[i] = xRows[i];
                }
            }
            return rows;
        }

        void clearKernelGradient(boolean needed) {
            if (needed) {
                for (float[] row : kernelGradient) {
                    Arrays.fill(row, 0f);
                }
            }
        }
    }
}
