package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Tensor;

/**
 * Keras' {@code PReLU(shared_axes=None)}: a learned slope per element, y = x for x &gt; 0 and alpha * x
 * otherwise (Keras 3: relu(x) - alpha * relu(-x)). alpha has the input's shape without the batch, with size 1
 * along the {@code shared_axes} (1-based, e.g. [1, 2] for one slope per channel of an image); zeros at first.
 * <pre>
 *   dL/dx = dL/dy * (x &gt; 0 ? 1 : alpha)        dL/dalpha = sum over the batch and shared axes of dL/dy * min(x, 0)
 * </pre>
 */
public final class PReLU extends Layer {

    private final int[] sharedAxes;
    private Parameter alpha;
    private Tensor input;
    private Tensor output;
    private Tensor inputGradient;

    public PReLU(int... sharedAxes) {
        super("p_re_lu");
        this.sharedAxes = sharedAxes.clone();
    }

    public Parameter alpha() {
        return alpha;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("shared_axes", sharedAxes.length == 0 ? null : list(sharedAxes));
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "").clone();
        for (int a : sharedAxes) {
            if (a < 1 || a > s.length) {
                throw shapeError("shared axis " + a + " is out of range for input of rank " + (s.length + 1));
            }
        }
        return s;
    }

    @Override
    protected void createWeights(int[][] inputShapes) {
        int[] shape = inputShapes[0].clone();
        for (int a : sharedAxes) {
            shape[a - 1] = 1;
        }
        alpha = addWeight("alpha", shape, Initializer.ZEROS, true);
    }

    /** The alpha element that input element q (of a per-sample block of shape s) uses. */
    private int alphaIndex(int q, int[] s, int[] a) {
        int index = 0;
        int rest = q;
        int stride = 1;
        for (int d = s.length - 1; d >= 0; d--) {
            int i = rest % s[d];
            rest /= s[d];
            index += (a[d] == 1 ? 0 : i) * stride;
            stride *= a[d];
        }
        return index;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        input = inputs[0];
        output = Tensor.reuse(output, input.shape());
        int[] s = java.util.Arrays.copyOfRange(input.shape(), 1, input.rank());
        int per = input.size() / Math.max(1, input.dim(0));
        Tensor a = alpha.value();
        for (int j = 0; j < input.size(); j++) {
            float x = input.data().get(j);
            output.data().put(j, x > 0 ? x : a.data().get(alphaIndex(j % per, s, a.shape())) * x);
        }
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        int[] s = java.util.Arrays.copyOfRange(input.shape(), 1, input.rank());
        int per = input.size() / Math.max(1, input.dim(0));
        Tensor a = alpha.value();
        double[] da = new double[a.size()];
        if (inputGradientNeeded[0]) {
            inputGradient = Tensor.reuse(inputGradient, input.shape());
        }
        for (int j = 0; j < input.size(); j++) {
            float x = input.data().get(j);
            float g = outputGradient.data().get(j);
            int k = alphaIndex(j % per, s, a.shape());
            if (x <= 0) {
                da[k] += (double) g * x;
            }
            if (inputGradientNeeded[0]) {
                inputGradient.data().put(j, x > 0 ? g : g * a.data().get(k));
            }
        }
        if (weightGradients) {
            for (int k = 0; k < da.length; k++) {
                alpha.gradient().data().put(k, (float) da[k]);
            }
        }
        return new Tensor[] {inputGradientNeeded[0] ? inputGradient : null};
    }
}
