package dev.convey.torch;

import java.nio.FloatBuffer;

import dev.convey.layers.Layer;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * PyTorch's {@code nn.AdaptiveAvgPool2d((OH, OW))} on NHWC: whatever the input's size, output cell (i, j)
 * averages the input rows [floor(i*H/OH), ceil((i+1)*H/OH)) and columns [floor(j*W/OW), ceil((j+1)*W/OW)):
 * <pre>
 *   y[n, i, j, c] = mean over (h, w) in bin(i, j) of x[n, h, w, c]
 *   dL/dx[n, h, w, c] = sum over the bins (i, j) containing (h, w) of dL/dy[n, i, j, c] / |bin(i, j)|
 * </pre>
 * When H is a multiple of OH the bins are the tiles of an OHxOW average pooling; otherwise neighbouring bins
 * overlap by a row or column. (VGG's {@code avgpool}: 7x7, the identity at 224x224 inputs.)
 */
public final class AdaptiveAveragePooling2D extends Layer {

    private final int outHeight;
    private final int outWidth;
    private int[] inputShape;
    private Tensor output;

    public AdaptiveAveragePooling2D(int outHeight, int outWidth) {
        super("adaptive_average_pooling2d");
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("output size must be positive: " + outHeight + "x" + outWidth);
        }
        this.outHeight = outHeight;
        this.outWidth = outWidth;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        if (inputShapes.length != 1 || inputShapes[0].length != 3) {
            throw shapeError("expects one (height, width, channels) input, got " + shapesToString(inputShapes, false));
        }
        int[] s = inputShapes[0];
        if (s[0] == 0 || s[1] == 0) {
            throw shapeError("cannot pool an empty image " + shapesToString(inputShapes, false));
        }
        return new int[] {outHeight, outWidth, s[2]};
    }

    /** The first input row (or column) of bin i of n over a side of length size: floor(i * size / n). */
    static int binStart(int i, int n, int size) {
        return (int) ((long) i * size / n);
    }

    /** One past the last: ceil((i + 1) * size / n). */
    static int binEnd(int i, int n, int size) {
        return (int) (((long) (i + 1) * size + n - 1) / n);
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        int batch = x.dim(0), height = x.dim(1), width = x.dim(2), channels = x.dim(3);
        Tensor y = output = Tensor.reuse(output, batch, outHeight, outWidth, channels);
        FloatBuffer in = x.data();
        FloatBuffer out = y.data();
        Parallel.range(batch * outHeight, 1, (r0, r1) -> {
            double[] sum = new double[channels];
            for (int r = r0; r < r1; r++) {
                int n = r / outHeight, i = r % outHeight;
                int h0 = binStart(i, outHeight, height), h1 = binEnd(i, outHeight, height);
                for (int j = 0; j < outWidth; j++) {
                    int w0 = binStart(j, outWidth, width), w1 = binEnd(j, outWidth, width);
                    java.util.Arrays.fill(sum, 0);
                    for (int h = h0; h < h1; h++) {
                        for (int w = w0; w < w1; w++) {
                            int base = ((n * height + h) * width + w) * channels;
                            for (int c = 0; c < channels; c++) {
                                sum[c] += in.get(base + c);
                            }
                        }
                    }
                    int o = ((n * outHeight + i) * outWidth + j) * channels;
                    double count = (h1 - h0) * (w1 - w0);
                    for (int c = 0; c < channels; c++) {
                        out.put(o + c, (float) (sum[c] / count));
                    }
                }
            }
        });
        return y;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        int batch = inputShape[0], height = inputShape[1], width = inputShape[2], channels = inputShape[3];
        Tensor dx = Tensor.zeros(inputShape);
        FloatBuffer dy = outputGradient.data();
        FloatBuffer out = dx.data();
        Parallel.range(batch, 1, (n0, n1) -> {
            for (int n = n0; n < n1; n++) {
                for (int i = 0; i < outHeight; i++) {
                    int h0 = binStart(i, outHeight, height), h1 = binEnd(i, outHeight, height);
                    for (int j = 0; j < outWidth; j++) {
                        int w0 = binStart(j, outWidth, width), w1 = binEnd(j, outWidth, width);
                        float scale = 1f / ((h1 - h0) * (w1 - w0));
                        int g = ((n * outHeight + i) * outWidth + j) * channels;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                int base = ((n * height + h) * width + w) * channels;
                                for (int c = 0; c < channels; c++) {
                                    out.put(base + c, out.get(base + c) + dy.get(g + c) * scale);
                                }
                            }
                        }
                    }
                }
            }
        });
        return new Tensor[] {dx};
    }
}
