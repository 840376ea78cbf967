package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Softmax(axis=-1)}: y = e^(x - max) / sum e^(x - max) along {@code axis} (any axis, counted with
 * the batch as axis 0; negative from the end), each line of that axis independently. Backward along the same
 * line: dL/dx_k = y_k (dL/dy_k - sum_i dL/dy_i y_i).
 */
public final class Softmax extends Layer {

    private final int axis;
    private Tensor output;
    private Tensor inputGradient;

    public Softmax() {
        this(-1);
    }

    public Softmax(int axis) {
        super("softmax");
        if (axis == 0) {
            throw new IllegalArgumentException("Softmax axis 0 is the batch axis");
        }
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", axis);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "").clone();
        int a = axis < 0 ? s.length + 1 + axis : axis;
        if (a < 1 || a > s.length) {
            throw shapeError("axis " + axis + " is out of range for input of rank " + (s.length + 1));
        }
        return s;
    }

    /** [outer, n, inner]: the strides of the softmax axis in a C-order tensor. */
    private int[] lines(Tensor x) {
        int a = axis < 0 ? x.rank() + axis : axis;
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < a; d++) {
            outer *= x.dim(d);
        }
        for (int d = a + 1; d < x.rank(); d++) {
            inner *= x.dim(d);
        }
        return new int[] {outer, x.dim(a), inner};
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        output = Tensor.reuse(output, x.shape());
        int[] l = lines(x);
        for (int o = 0; o < l[0]; o++) {
            for (int i = 0; i < l[2]; i++) {
                int base = o * l[1] * l[2] + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < l[1]; k++) {
                    max = Math.max(max, x.data().get(base + k * l[2]));
                }
                double sum = 0;
                for (int k = 0; k < l[1]; k++) {
                    sum += Math.exp(x.data().get(base + k * l[2]) - max);
                }
                for (int k = 0; k < l[1]; k++) {
                    output.data().put(base + k * l[2], (float) (Math.exp(x.data().get(base + k * l[2]) - max) / sum));
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
        inputGradient = Tensor.reuse(inputGradient, output.shape());
        int[] l = lines(output);
        for (int o = 0; o < l[0]; o++) {
            for (int i = 0; i < l[2]; i++) {
                int base = o * l[1] * l[2] + i;
                double dot = 0;
                for (int k = 0; k < l[1]; k++) {
                    int at = base + k * l[2];
                    dot += (double) outputGradient.data().get(at) * output.data().get(at);
                }
                for (int k = 0; k < l[1]; k++) {
                    int at = base + k * l[2];
                    inputGradient.data().put(at, (float) (output.data().get(at) * (outputGradient.data().get(at) - dot)));
                }
            }
        }
        return new Tensor[] {inputGradient};
    }
}
