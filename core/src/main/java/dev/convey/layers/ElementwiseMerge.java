package dev.convey.layers;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * The merge layers that combine inputs of one shape element by element (Keras' {@code Subtract}, {@code Average},
 * {@code Maximum}, {@code Minimum}); nothing is broadcast. Subclasses give the combination of the values at one
 * position and the share of dL/dy each input gets there.
 */
abstract class ElementwiseMerge extends Layer {

    private Tensor[] inputs;
    private Tensor output;
    private Tensor[] gradients;

    ElementwiseMerge(String nameStem) {
        super(nameStem);
    }

    /** y = combine(v) of the inputs' values v at one position. */
    abstract double combine(double[] v);

    /** dy/dv_i at one position, given the values and y. */
    abstract double partial(double[] v, double y, int i);

    /** The number of inputs the layer takes (Subtract: exactly 2), or -1 for two or more. */
    int arity() {
        return -1;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        if (arity() > 0 ? inputShapes.length != arity() : inputShapes.length < 2) {
            throw shapeError("expects " + (arity() > 0 ? "exactly " + arity() : "at least 2") + " inputs, got "
                    + inputShapes.length);
        }
        for (int i = 1; i < inputShapes.length; i++) {
            if (!java.util.Arrays.equals(inputShapes[i], inputShapes[0])) {
                throw shapeError("all inputs must have the same shape (no broadcasting), but input 0 has shape "
                        + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, inputShapes[0])) + " and input " + i
                        + " has shape " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, inputShapes[i])));
            }
        }
        return inputShapes[0].clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] xs, boolean training) {
        inputs = xs.clone();
        output = Tensor.reuse(output, xs[0].shape());
        double[] v = new double[xs.length];
        for (int j = 0; j < output.size(); j++) {
            for (int i = 0; i < xs.length; i++) {
                v[i] = xs[i].data().get(j);
            }
            output.data().put(j, (float) combine(v));
        }
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (gradients == null || gradients.length != inputs.length) {
            gradients = new Tensor[inputs.length];
        }
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputGradientNeeded[i]) {
                gradients[i] = Tensor.reuse(gradients[i], output.shape());
                out[i] = gradients[i];
            }
        }
        double[] v = new double[inputs.length];
        for (int j = 0; j < output.size(); j++) {
            for (int i = 0; i < inputs.length; i++) {
                v[i] = inputs[i].data().get(j);
            }
            double y = output.data().get(j);
            double g = outputGradient.data().get(j);
            for (int i = 0; i < inputs.length; i++) {
                if (out[i] != null) {
                    out[i].data().put(j, (float) (g * partial(v, y, i)));
                }
            }
        }
        return out;
    }

    /** The first input holding the extreme value y gets the whole gradient (TensorFlow's choice on ties). */
    static double firstAt(double[] v, double y, int i) {
        for (int k = 0; k < v.length; k++) {
            if (v[k] == y) {
                return k == i ? 1 : 0;
            }
        }
        return 0;
    }
}
