package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Permute(dims)}: reorders the non-batch axes, {@code dims} 1-based as in Keras ((2, 1) swaps the
 * two axes of a (batch, a, b) input). Output axis i is input axis dims[i]; backward applies the inverse order.
 */
public final class Permute extends Layer {

    private final int[] dims;
    private Tensor output;
    private Tensor inputGradient;

    public Permute(int... dims) {
        super("permute");
        boolean[] seen = new boolean[dims.length + 1];
        for (int d : dims) {
            if (d < 1 || d > dims.length || seen[d]) {
                throw new IllegalArgumentException("Permute dims must be a permutation of 1.." + dims.length + ", got "
                        + java.util.Arrays.toString(dims));
            }
            seen[d] = true;
        }
        this.dims = dims.clone();
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("dims", list(dims));
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, dims.length, "(batch, " + dims.length + " axes)");
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = s[dims[i] - 1];
        }
        return out;
    }

    /** into = x with its axes 1.. reordered so that axis i of the result is axis order[i] of x (1-based). */
    private static Tensor permute(Tensor x, int[] order, Tensor into) {
        int rank = x.rank();
        int[] shape = new int[rank];
        shape[0] = x.dim(0);
        for (int i = 1; i < rank; i++) {
            shape[i] = x.dim(order[i - 1]);
        }
        Tensor y = Tensor.reuse(into, shape);
        int[] strides = new int[rank];
        strides[rank - 1] = 1;
        for (int d = rank - 2; d >= 0; d--) {
            strides[d] = strides[d + 1] * x.dim(d + 1);
        }
        int[] index = new int[rank];
        for (int q = 0; q < y.size(); q++) {
            int rest = q;
            for (int d = rank - 1; d >= 0; d--) {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
            int from = index[0] * strides[0];
            for (int i = 1; i < rank; i++) {
                from += index[i] * strides[order[i - 1]];
            }
            y.data().put(q, x.data().get(from));
        }
        return y;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        output = permute(inputs[0], dims, output);
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            inverse[dims[i] - 1] = i + 1;
        }
        inputGradient = permute(outputGradient, inverse, inputGradient);
        return new Tensor[] {inputGradient};
    }
}
