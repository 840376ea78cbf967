package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Scratch;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Multiply}: the element-wise product of two tensors, y = a * b, dL/da = dL/dy * b, dL/db = dL/dy * a.
 * The shapes are equal, or (Keras broadcasts, and squeeze-and-excitation blocks rely on it) the second is
 * {@code (1, 1, C)} against the first's {@code (H, W, C)}: then y[n, p, c] = a[n, p, c] * b[n, c] and
 * dL/db[n, c] = sum_p dL/dy[n, p, c] * a[n, p, c]. Any other pair of shapes is an error naming both.
 */
public final class Multiply extends Layer implements InputScaleFold.ChannelScale {

    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private Tensor a;
    private Tensor b;
    private Tensor output;
    private Tensor gradA;
    private Tensor gradB;

    public Multiply() {
        super("multiply");
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        if (inputShapes.length != 2) {
            throw shapeError("expects 2 inputs to multiply, got " + inputShapes.length);
        }
        int[] s0 = inputShapes[0];
        int[] s1 = inputShapes[1];
        if (!Arrays.equals(s0, s1) && !isChannelScale(s0, s1)) {
            throw shapeError("inputs must have the same shape, or the second (1, 1, C) against (H, W, C); got "
                    + shapesToString(inputShapes, true));
        }
        return s0.clone();
    }

    private static boolean isChannelScale(int[] s0, int[] s1) {
        return s0.length == 3 && s1.length == 3 && s1[0] == 1 && s1[1] == 1 && s1[2] == s0[2];
    }

    /** As built, a channel scale (1, 1, C) of an (H, W, C) map: a squeeze-and-excitation block's excite step. */
    @Override
    public boolean scalesChannels() {
        int[][] s = inputShapes();
        return s != null && s.length == 2 && isChannelScale(s[0], s[1]);
    }

    /** Pixels per image over which b is constant: 1 for equal shapes, H*W for a channel scale. */
    private int pixels() {
        return a.size() / b.size();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        a = inputs[0];
        b = inputs[1];
        output = Tensor.reuse(output, a.shape());
        int p = pixels();
        int c = a.dim(-1);
        if (p == 1) {
            Scratch.elementwise(a.size(), a.data(), b.data(), output.data(), (u, w, unused, length) -> {
                for (int i = 0; i < length; i++) {
                    u[i] *= w[i];
                }
            });
            return output;
        }
        // a channel scale: each image's C factors repeated over a tile of whole pixels (Scratch.repeat)
        float[] factors = new float[c];
        float[] scale = new float[Scratch.rowsPerTile(c) * c];
        for (int n = 0; n < a.size() / (p * c); n++) {
            b.data().get(n * c, factors);
            Scratch.repeat(factors, scale);
            int first = n * p;
            Parallel.range(p, Math.max(1, MIN_FLOATS_PER_CHUNK / c), (p0, p1) ->
                    Scratch.forEachTile((first + p0) * c, p1 - p0, c, a.data(), null, null, output.data(),
                            (u, unused, unused2, length) -> {
                                for (int i = 0; i < length; i++) {
                                    u[i] *= scale[i];
                                }
                            }));
        }
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        FloatBuffer dy = outputGradient.data();
        int p = pixels();
        int c = a.dim(-1);
        if (inputGradientNeeded[0]) {
            gradA = Tensor.reuse(gradA, a.shape());
        }
        if (inputGradientNeeded[1]) {
            gradB = Tensor.reuse(gradB, b.shape());
            gradB.fill(0f);
        }
        for (int i = 0; i < a.size(); i++) {
            int j = p == 1 ? i : (i / (p * c)) * c + i % c;
            if (inputGradientNeeded[0]) {
                gradA.data().put(i, dy.get(i) * b.data().get(j));
            }
            if (inputGradientNeeded[1]) {
                gradB.data().put(j, gradB.data().get(j) + dy.get(i) * a.data().get(i));
            }
        }
        return new Tensor[] {inputGradientNeeded[0] ? gradA : null, inputGradientNeeded[1] ? gradB : null};
    }

    @Override
    public String toString() {
        return describe() + (a == null ? "" : " " + Shapes.toString(a.shape()));
    }
}
