package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code UpSampling2D(size=(sh, sw), interpolation="nearest"|"bilinear")} on NHWC images, output
 * (H sh, W sw). Each output row (and column) is a fixed mix of at most two input rows, so the layer is
 * y = A x B^T per channel with sparse A, B, and the backward pass is dL/dx = A^T dL/dy B:
 * <pre>
 *   nearest   y[i] = x[floor(i / s)]                                       (Keras: repeat each row s times)
 *   bilinear  f = (i + 1/2) / s - 1/2 (half-pixel centres, as tf.image.resize), i0 = floor(f), t = f - i0:
 *             y[i] = (1 - t) x[clamp(i0)] + t x[clamp(i0 + 1)], clamp to [0, H - 1]
 * </pre>
 */
public final class UpSampling2D extends Layer {

    private final int[] size;
    private final String interpolation;
    private int[] inputShape;
    private Tensor output;
    private Tensor inputGradient;

    public UpSampling2D(int... size) {
        this(size, "nearest");
    }

    public UpSampling2D(int[] size, String interpolation) {
        super("up_sampling2d");
        this.size = LayerArgs.pair(this, "size", size);
        if (!interpolation.equals("nearest") && !interpolation.equals("bilinear")) {
            throw new IllegalArgumentException(describe() + ": interpolation must be \"nearest\" or \"bilinear\", got \""
                    + interpolation + "\"");
        }
        this.interpolation = interpolation;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("size", list(size));
        c.put("data_format", "channels_last");
        c.put("interpolation", interpolation);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)");
        return new int[] {s[0] < 0 ? s[0] : s[0] * size[0], s[1] < 0 ? s[1] : s[1] * size[1], s[2]};
    }

    /** For each output index along an axis of {@code in} inputs: {lower, upper} indices and the weight of upper. */
    private double[][] taps(int in, int s) {
        double[][] t = new double[in * s][3];
        for (int o = 0; o < in * s; o++) {
            if (interpolation.equals("nearest")) {
                t[o] = new double[] {o / s, o / s, 0};
            } else {
                double f = (o + 0.5) / s - 0.5;
                int i0 = (int) Math.floor(f);
                t[o] = new double[] {Math.max(0, Math.min(in - 1, i0)), Math.max(0, Math.min(in - 1, i0 + 1)), f - i0};
            }
        }
        return t;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        double[][] rows = taps(h, size[0]);
        double[][] cols = taps(w, size[1]);
        output = Tensor.reuse(output, n, h * size[0], w * size[1], c);
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < cols.length; j++) {
                    for (int k = 0; k < c; k++) {
                        double v = 0;
                        for (int ri = 0; ri < 2; ri++) {
                            double rw = ri == 0 ? 1 - rows[i][2] : rows[i][2];
                            for (int ci = 0; ci < 2; ci++) {
                                double cw = ci == 0 ? 1 - cols[j][2] : cols[j][2];
                                v += rw * cw * x.data().get(((b * h + (int) rows[i][ri]) * w + (int) cols[j][ci]) * c + k);
                            }
                        }
                        output.data().put(((b * rows.length + i) * cols.length + j) * c + k, (float) v);
                    }
                }
            }
        }
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        int n = inputShape[0], h = inputShape[1], w = inputShape[2], c = inputShape[3];
        double[][] rows = taps(h, size[0]);
        double[][] cols = taps(w, size[1]);
        double[] acc = new double[n * h * w * c];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < cols.length; j++) {
                    for (int k = 0; k < c; k++) {
                        double g = outputGradient.data().get(((b * rows.length + i) * cols.length + j) * c + k);
                        for (int ri = 0; ri < 2; ri++) {
                            double rw = ri == 0 ? 1 - rows[i][2] : rows[i][2];
                            for (int ci = 0; ci < 2; ci++) {
                                double cw = ci == 0 ? 1 - cols[j][2] : cols[j][2];
                                acc[((b * h + (int) rows[i][ri]) * w + (int) cols[j][ci]) * c + k] += rw * cw * g;
                            }
                        }
                    }
                }
            }
        }
        inputGradient = Tensor.reuse(inputGradient, inputShape);
        for (int q = 0; q < acc.length; q++) {
            inputGradient.data().put(q, (float) acc[q]);
        }
        return new Tensor[] {inputGradient};
    }
}
