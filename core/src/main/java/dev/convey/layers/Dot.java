package dev.convey.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras 3's {@code Dot(axes, normalize=False)}: the batch-wise dot product of two tensors along one axis of each
 * ({@code batch_dot}). With the contracted axis a of x and b of y (an int gives both; negative counts from the
 * end; never the batch axis 0), the output keeps x's other axes, then y's other axes:
 * <pre>
 *   out[n, I, J] = sum_k x[n, I with k at a] * y[n, J with k at b]
 * </pre>
 * and a result with no axis left is {@code (batch, 1)}. With {@code normalize}, each input is first L2-normalised
 * along its axis as Keras' {@code ops.normalize} does: x * min(1 / sqrt(sum_k x^2), 1 / 1e-7), so the output is
 * the cosine similarity.
 *
 * <p>Computed on the permuted views X (n, P, K) and Y (n, K, Q): out = X Y per sample. Backward: dX = dOut Y^T,
 * dY = X^T dOut, then through the normalisation u = x r (r = 1 / |x| unless clipped): dx = r (du - u sum_k(du u)).
 */
public final class Dot extends Layer {

    private static final double EPSILON = 1e-7;

    private final int[] axes;
    private final boolean normalize;
    // For the last forward pass: the gathered (n, P, K) and (n, K, Q) operands and the inverse norms.
    private float[] xs;
    private float[] ys;
    private double[] xScale;
    private double[] yScale;
    private int[] xPerm;
    private int[] yPerm;
    private int p;
    private int q;
    private int k;
    private int batch;
    private int[][] shapes;
    private Tensor output;
    private Tensor gradX;
    private Tensor gradY;

    /** The same axis of both inputs. */
    public Dot(int axes) {
        this(new int[] {axes}, false);
    }

    /** {@code axes}: one axis for both, or (axis of x, axis of y), Keras' numbering (with the batch axis 0). */
    public Dot(int[] axes, boolean normalize) {
        super("dot");
        if (axes.length != 1 && axes.length != 2) {
            throw new IllegalArgumentException("Dot axes must be one int or two, got " + java.util.Arrays.toString(axes));
        }
        this.axes = axes.clone();
        this.normalize = normalize;
    }

    /** Axis i of input i (0-based per-sample axis, i.e. Keras' axis - 1). */
    private int axis(int input, int rank) {
        int a = axes.length == 1 ? axes[0] : axes[input];
        int withBatch = rank + 1;
        int resolved = a < 0 ? Math.floorMod(a, withBatch) : a;
        if (resolved == 0 || resolved >= withBatch) {
            throw shapeError("axes " + java.util.Arrays.toString(axes) + " do not name a non-batch axis of an input"
                    + " of rank " + withBatch);
        }
        return resolved - 1;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        if (inputShapes.length != 2) {
            throw shapeError("expects exactly 2 inputs, got " + inputShapes.length);
        }
        int[] s1 = inputShapes[0];
        int[] s2 = inputShapes[1];
        if (s1.length < 1 || s2.length < 1) {
            throw shapeError("inputs must have rank >= 2, got " + shapesToString(inputShapes, true));
        }
        int a = axis(0, s1.length);
        int b = axis(1, s2.length);
        if (s1[a] != s2[b] && s1[a] != Shapes.UNKNOWN && s2[b] != Shapes.UNKNOWN) {
            throw shapeError("incompatible shapes: axis " + (a + 1) + " of " + Shapes.toString(Shapes.withBatch(-1, s1))
                    + " has " + s1[a] + " values, axis " + (b + 1) + " of " + Shapes.toString(Shapes.withBatch(-1, s2))
                    + " has " + s2[b]);
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < s1.length; i++) {
            if (i != a) {
                out.add(s1[i]);
            }
        }
        for (int i = 0; i < s2.length; i++) {
            if (i != b) {
                out.add(s2[i]);
            }
        }
        if (out.isEmpty()) {
            out.add(1);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        Tensor y = inputs[1];
        int[] sx = Shapes.withoutBatch(x.shape());
        int[] sy = Shapes.withoutBatch(y.shape());
        shapes = new int[][] {x.shape(), y.shape()};
        int a = axis(0, sx.length);
        int b = axis(1, sy.length);
        batch = x.dim(0);
        k = sx[a];
        p = Shapes.size(sx) / k;
        q = Shapes.size(sy) / k;
        xPerm = AxisPermutation.of(sx, a, true);
        yPerm = AxisPermutation.of(sy, b, false);
        xs = AxisPermutation.gather(x.toArray(), xPerm);
        ys = AxisPermutation.gather(y.toArray(), yPerm);
        if (normalize) {
            xScale = normaliseRows(xs, batch * p, k);             // rows of X: k consecutive values
            yScale = normaliseColumns(ys, batch, k, q);           // columns of Y: k values q apart
        }
        output = Tensor.reuse(output, Shapes.withBatch(batch, computeOutputShape(new int[][] {sx, sy})));
        float[] out = new float[batch * p * q];
        for (int n = 0; n < batch; n++) {
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    double s = 0;
                    for (int t = 0; t < k; t++) {
                        s += (double) xs[(n * p + i) * k + t] * ys[(n * k + t) * q + j];
                    }
                    out[(n * p + i) * q + j] = (float) s;
                }
            }
        }
        output.data().put(0, out);
        return output;
    }

    /** r = min(1 / sqrt(sum_k v^2), 1 / eps) of each row of k values, v scaled by r in place; r < 0 marks clipped. */
    private static double[] normaliseRows(float[] v, int rows, int k) {
        double[] r = new double[rows];
        for (int i = 0; i < rows; i++) {
            double ss = 0;
            for (int t = 0; t < k; t++) {
                ss += (double) v[i * k + t] * v[i * k + t];
            }
            r[i] = inverseNorm(ss);
            for (int t = 0; t < k; t++) {
                v[i * k + t] = (float) (v[i * k + t] * Math.abs(r[i]));
            }
        }
        return r;
    }

    /** The same for the columns of each (k, q) sample of Y. */
    private static double[] normaliseColumns(float[] v, int batch, int k, int q) {
        double[] r = new double[batch * q];
        for (int n = 0; n < batch; n++) {
            for (int j = 0; j < q; j++) {
                double ss = 0;
                for (int t = 0; t < k; t++) {
                    double e = v[(n * k + t) * q + j];
                    ss += e * e;
                }
                r[n * q + j] = inverseNorm(ss);
                for (int t = 0; t < k; t++) {
                    v[(n * k + t) * q + j] = (float) (v[(n * k + t) * q + j] * Math.abs(r[n * q + j]));
                }
            }
        }
        return r;
    }

    // Keras: rsqrt(sum of squares), clipped at 1 / epsilon; a clipped (constant) scale is returned negated.
    private static double inverseNorm(double sumOfSquares) {
        double r = 1 / Math.sqrt(sumOfSquares);
        return r < 1 / EPSILON ? r : -1 / EPSILON;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        float[] g = outputGradient.toArray();
        Tensor[] out = new Tensor[2];
        if (inputGradientNeeded[0]) {
            float[] dX = new float[xs.length];   // dX[n, i, t] = sum_j g[n, i, j] * Y[n, t, j]
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < p; i++) {
                    for (int t = 0; t < k; t++) {
                        double s = 0;
                        for (int j = 0; j < q; j++) {
                            s += (double) g[(n * p + i) * q + j] * ys[(n * k + t) * q + j];
                        }
                        dX[(n * p + i) * k + t] = (float) s;
                    }
                }
            }
            if (normalize) {
                unnormaliseRows(dX, xs, xScale, batch * p, k);
            }
            gradX = Tensor.reuse(gradX, shapes[0]);
            gradX.data().put(0, AxisPermutation.scatter(dX, xPerm));
            out[0] = gradX;
        }
        if (inputGradientNeeded[1]) {
            float[] dY = new float[ys.length];   // dY[n, t, j] = sum_i X[n, i, t] * g[n, i, j]
            for (int n = 0; n < batch; n++) {
                for (int t = 0; t < k; t++) {
                    for (int j = 0; j < q; j++) {
                        double s = 0;
                        for (int i = 0; i < p; i++) {
                            s += (double) xs[(n * p + i) * k + t] * g[(n * p + i) * q + j];
                        }
                        dY[(n * k + t) * q + j] = (float) s;
                    }
                }
            }
            if (normalize) {
                unnormaliseColumns(dY, ys, yScale, batch, k, q);
            }
            gradY = Tensor.reuse(gradY, shapes[1]);
            gradY.data().put(0, AxisPermutation.scatter(dY, yPerm));
            out[1] = gradY;
        }
        return out;
    }

    /** du -> dx for u = x r along rows: dx = r (du - u sum(du u)); a clipped r is a constant: dx = r du. */
    private static void unnormaliseRows(float[] d, float[] u, double[] r, int rows, int k) {
        for (int i = 0; i < rows; i++) {
            double dot = 0;
            for (int t = 0; t < k; t++) {
                dot += (double) d[i * k + t] * u[i * k + t];
            }
            double projection = r[i] < 0 ? 0 : dot;
            for (int t = 0; t < k; t++) {
                d[i * k + t] = (float) (Math.abs(r[i]) * (d[i * k + t] - u[i * k + t] * projection));
            }
        }
    }

    private static void unnormaliseColumns(float[] d, float[] u, double[] r, int batch, int k, int q) {
        for (int n = 0; n < batch; n++) {
            for (int j = 0; j < q; j++) {
                double dot = 0;
                for (int t = 0; t < k; t++) {
                    dot += (double) d[(n * k + t) * q + j] * u[(n * k + t) * q + j];
                }
                double rr = r[n * q + j];
                double projection = rr < 0 ? 0 : dot;
                for (int t = 0; t < k; t++) {
                    int e = (n * k + t) * q + j;
                    d[e] = (float) (Math.abs(rr) * (d[e] - u[e] * projection));
                }
            }
        }
    }

    /** Keras' get_config: axes (an int or a pair, as given), normalize. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axes", axes.length == 1 ? (Object) axes[0] : list(axes));
        c.put("normalize", normalize);
        return c;
    }
}
