package dev.convey.layers;

import java.util.List;
import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Cropping2D(cropping=((top, bottom), (left, right)))} on NHWC images: y[n, i, j, c] =
 * x[n, top + i, left + j, c]; the gradient is dL/dy put back in place, zero in the cropped border.
 */
public final class Cropping2D extends Layer {

    private final int[][] cropping;
    private Tensor output;
    private Tensor inputGradient;
    private int[] inputShape;

    /** ((top, bottom), (left, right)), each &gt;= 0. */
    public Cropping2D(int[][] cropping) {
        super("cropping2d");
        if (cropping.length != 2 || cropping[0].length != 2 || cropping[1].length != 2
                || cropping[0][0] < 0 || cropping[0][1] < 0 || cropping[1][0] < 0 || cropping[1][1] < 0) {
            throw new IllegalArgumentException("Cropping2D cropping must be ((top, bottom), (left, right)) of ints >= 0");
        }
        this.cropping = new int[][] {cropping[0].clone(), cropping[1].clone()};
    }

    public int[][] cropping() {
        return new int[][] {cropping[0].clone(), cropping[1].clone()};
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("cropping", List.of(list(cropping[0]), list(cropping[1])));
        c.put("data_format", "channels_last");
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)");
        int h = s[0] - cropping[0][0] - cropping[0][1];
        int w = s[1] - cropping[1][0] - cropping[1][1];
        if (s[0] > 0 && h < 1 || s[1] > 0 && w < 1) {
            throw shapeError("crops " + cropping[0][0] + "+" + cropping[0][1] + " rows and " + cropping[1][0] + "+"
                    + cropping[1][1] + " columns of a " + s[0] + "x" + s[1] + " image: nothing is left");
        }
        return new int[] {s[0] < 0 ? s[0] : h, s[1] < 0 ? s[1] : w, s[2]};
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        int n = x.dim(0);
        int h = x.dim(1) - cropping[0][0] - cropping[0][1];
        int w = x.dim(2) - cropping[1][0] - cropping[1][1];
        int c = x.dim(3);
        output = Tensor.reuse(output, n, h, w, c);
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < h; i++) {
                int from = ((b * x.dim(1) + i + cropping[0][0]) * x.dim(2) + cropping[1][0]) * c;
                output.data().put(((b * h + i) * w) * c, x.data(), from, w * c);
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
        inputGradient = Tensor.reuse(inputGradient, inputShape);
        inputGradient.fill(0f);
        int n = output.dim(0);
        int h = output.dim(1);
        int w = output.dim(2);
        int c = output.dim(3);
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < h; i++) {
                int to = ((b * inputShape[1] + i + cropping[0][0]) * inputShape[2] + cropping[1][0]) * c;
                inputGradient.data().put(to, outputGradient.data(), ((b * h + i) * w) * c, w * c);
            }
        }
        return new Tensor[] {inputGradient};
    }
}
