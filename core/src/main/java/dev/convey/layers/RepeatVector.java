package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/** Keras' {@code RepeatVector(n)}: (batch, features) -> (batch, n, features), y[b, r, f] = x[b, f]; dL/dx = sum_r dL/dy. */
public final class RepeatVector extends Layer {

    private final int n;
    private Tensor output;
    private Tensor inputGradient;

    public RepeatVector(int n) {
        super("repeat_vector");
        this.n = LayerArgs.positive(this, "n", n);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("n", n);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 1, "(batch, features)");
        return new int[] {n, s[0]};
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        int b = x.dim(0), f = x.dim(1);
        output = Tensor.reuse(output, b, n, f);
        for (int i = 0; i < b; i++) {
            for (int r = 0; r < n; r++) {
                output.data().put((i * n + r) * f, x.data(), i * f, f);
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
        int b = output.dim(0), f = output.dim(2);
        inputGradient = Tensor.reuse(inputGradient, b, f);
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < f; k++) {
                double sum = 0;
                for (int r = 0; r < n; r++) {
                    sum += outputGradient.data().get((i * n + r) * f + k);
                }
                inputGradient.data().put(i * f + k, (float) sum);
            }
        }
        return new Tensor[] {inputGradient};
    }
}
