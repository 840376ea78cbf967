package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import dev.convey.tensor.Tensor;

/**
 * Checks a layer's backward pass against central finite differences of its forward pass. Usable for any
 * {@link Layer}, models included:
 * <pre>
 *   GradientCheck.of(layer).inputs(x).training(true).assertMatches(2e-3);
 * </pre>
 * The scalar checked is L = sum_j y_j * r_j with a fixed random r, so dL/dy = r is what backward receives, and
 * dL/dtheta for every input element and every TRAINABLE weight element theta is compared with
 * <pre>
 *   (L(theta + h) - L(theta - h)) / (2h)
 * </pre>
 *
 * <p>Why finite differences of the float32 forward are a trustworthy reference here:
 * <ul>
 *   <li>L is accumulated in double from the float32 outputs, so the only noise in L is the float32 rounding
 *       of y itself, about eps32 * sum_j |y_j r_j| (eps32 = 6e-8). Divided by 2h it stays far below the
 *       tolerance for h = 1e-2 and O(1) values.
 *   <li>The truncation error of the central difference is h^2/6 * L''' (about 2e-5 * L''' for h = 1e-2), and
 *       it is exactly zero for the piecewise linear layers (conv, dense, pooling, relu, padding) as long as no
 *       input lies within h of a kink: tests pick inputs without ties or near-zero relu inputs.
 *   <li>theta +- h is rounded to float32 before the layer sees it; the difference of the two realised values
 *       (exact in double) is used as the denominator, so that rounding adds no error either.
 * </ul>
 * The error of one element is |analytic - numeric| / max(|analytic|, |numeric|, 1% of the tensor's largest
 * numeric gradient): relative, except for elements much smaller than the rest, whose absolute rounding noise
 * would otherwise dominate.
 */
public final class GradientCheck {

    private final Layer layer;
    private Tensor[] inputs;
    private boolean training;
    private double step = 1e-2;
    private int maxChecksPerTensor = 300;
    private long seed = 42;

    private GradientCheck(Layer layer) {
        this.layer = layer;
    }

    /** Starts a check of {@code layer}. */
    public static GradientCheck of(Layer layer) {
        return new GradientCheck(layer);
    }

    /** The inputs (batch axis first). They are copied; the caller's tensors are not touched. */
    public GradientCheck inputs(Tensor... xs) {
        this.inputs = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            inputs[i] = xs[i].copy();
        }
        return this;
    }

    /** The {@code training} flag passed to forward (default false). */
    public GradientCheck training(boolean training) {
        this.training = training;
        return this;
    }

    /**
     * The finite-difference step h (default 1e-2). The float32 rounding noise of the difference falls as 1/h
     * and the truncation error grows as h^2; for O(1) values 1e-2 gives the smallest sum (a smaller step made
     * softmax's check worse, not better).
     */
    public GradientCheck step(double h) {
        this.step = h;
        return this;
    }

    /** Tensors with more elements are checked on this many randomly chosen elements (default 300). */
    public GradientCheck maxChecksPerTensor(int n) {
        this.maxChecksPerTensor = n;
        return this;
    }

    /** Seed for r and for the choice of checked elements. */
    public GradientCheck seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The largest error per checked tensor ("input", "input1", ..., then weight names), in order. */
    public record Result(String layer, Map<String, Double> maxErrors) {

        public double maxError() {
            return maxErrors.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("gradient check " + layer + ": max rel error");
            maxErrors.forEach((name, e) -> s.append(String.format(Locale.ROOT, " %s %.1e,", name, e)));
            s.setLength(s.length() - 1);
            return s.toString();
        }
    }

    /** Runs the check, prints the result line, and fails if any error exceeds {@code tolerance}. */
    public Result assertMatches(double tolerance) {
        Result result = run();
        System.out.println(result);
        assertTrue(result.maxError() <= tolerance, result + " exceeds the tolerance " + tolerance);
        return result;
    }

    /** Runs the check and returns the largest error per tensor. */
    public Result run() {
        if (inputs == null) {
            throw new IllegalStateException("GradientCheck: call inputs(...) first");
        }
        Random random = new Random(seed);
        Tensor y = layer.forward(inputs, training);
        Tensor r = Tensor.zeros(y.shape());
        for (int j = 0; j < r.size(); j++) {
            r.data().put(j, (float) (random.nextDouble() * 2 - 1));
        }
        boolean[] needed = new boolean[inputs.length];
        java.util.Arrays.fill(needed, true);
        Tensor[] inputGradients = layer.backward(r, needed, true);

        // Name every tensor to check with its analytic gradient (copied: the layer reuses its buffers).
        List<String> names = new ArrayList<>();
        List<Tensor> values = new ArrayList<>();
        List<Tensor> analytic = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            String name = inputs.length == 1 ? "input" : "input" + i;
            if (inputGradients[i] == null) {
                throw new AssertionError(layer.describe() + " returned no gradient for " + name);
            }
            names.add(name);
            values.add(inputs[i]);
            analytic.add(inputGradients[i].copy());
        }
        for (Parameter p : layer.weights()) {
            // Weights of frozen sublayers get no gradient; inside a model, short names would collide.
            if (p.isTrainable() && p.layer().isTrainableWhenCompiled()) {
                names.add(p.layer() == layer ? p.name() : p.fullName());
                values.add(p.value());
                analytic.add(p.gradient().copy());
            }
        }

        Map<String, Double> errors = new LinkedHashMap<>();
        for (int t = 0; t < names.size(); t++) {
            errors.put(names.get(t), maxError(values.get(t), analytic.get(t), r, random));
        }
        return new Result(layer.describe(), errors);
    }

    /** The largest error over the checked elements of one tensor, perturbed in place and restored. */
    private double maxError(Tensor value, Tensor analytic, Tensor r, Random random) {
        int n = value.size();
        int checks = Math.min(n, maxChecksPerTensor);
        int[] elements = new int[checks];
        for (int c = 0; c < checks; c++) {
            elements[c] = checks == n ? c : random.nextInt(n);
        }
        double[] numeric = new double[checks];
        double largest = 0;
        for (int c = 0; c < checks; c++) {
            int i = elements[c];
            float original = value.data().get(i);
            float plus = (float) (original + step);
            float minus = (float) (original - step);
            value.data().put(i, plus);
            double lossPlus = loss(r);
            value.data().put(i, minus);
            double lossMinus = loss(r);
            value.data().put(i, original);
            numeric[c] = (lossPlus - lossMinus) / ((double) plus - (double) minus);
            largest = Math.max(largest, Math.abs(numeric[c]));
        }
        // Rounding noise of a finite difference: each float32 loss term is off by about ulp(1)/2 of its size,
        // so a gradient below ~ulp(1) * sum|y r| / step is indistinguishable from zero (e.g. the bias of a conv
        // followed by training-mode batch norm, whose true gradient is exactly 0).
        double noise = Math.ulp(1f) * absoluteLoss(r) / step;
        double worst = 0;
        for (int c = 0; c < checks; c++) {
            double a = analytic.data().get(elements[c]);
            double scale = Math.max(Math.max(Math.abs(a), Math.abs(numeric[c])), Math.max(0.01 * largest, 10 * noise));
            if (scale > 0) {
                worst = Math.max(worst, Math.abs(a - numeric[c]) / scale);
            }
        }
        return worst;
    }

    /** sum_j |y_j r_j|: the size of the terms the loss adds up. */
    private double absoluteLoss(Tensor r) {
        Tensor y = layer.forward(inputs, training);
        double sum = 0;
        for (int j = 0; j < y.size(); j++) {
            sum += Math.abs((double) y.data().get(j) * r.data().get(j));
        }
        return sum;
    }

    /** L = sum_j y_j r_j in double (the weights may have been perturbed since the last call: see Parameter.changed). */
    private double loss(Tensor r) {
        layer.weights().forEach(Parameter::changed);
        Tensor y = layer.forward(inputs, training);
        double sum = 0;
        for (int j = 0; j < y.size(); j++) {
            sum += (double) y.data().get(j) * r.data().get(j);
        }
        return sum;
    }
}
