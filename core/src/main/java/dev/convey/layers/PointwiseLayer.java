package dev.convey.layers;

import dev.convey.tensor.Tensor;

/**
 * A layer y_j = f(x_j) with settings (LeakyReLU's slope, ELU's alpha): subclasses give f and f'. Backward:
 * dL/dx_j = dL/dy_j * f'(x_j), from the input kept from the forward pass. Computed in double, rounded once.
 */
abstract class PointwiseLayer extends Layer {

    private Tensor input;
    private Tensor output;
    private Tensor inputGradient;

    PointwiseLayer(String nameStem) {
        super(nameStem);
    }

    abstract double value(double x);

    abstract double derivative(double x);

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        return LayerArgs.singleInput(this, inputShapes, -1, "").clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        input = inputs[0];
        output = Tensor.reuse(output, input.shape());
        for (int j = 0; j < input.size(); j++) {
            output.data().put(j, (float) value(input.data().get(j)));
        }
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, input.shape());
        for (int j = 0; j < input.size(); j++) {
            inputGradient.data().put(j, (float) (outputGradient.data().get(j) * derivative(input.data().get(j))));
        }
        return new Tensor[] {inputGradient};
    }
}
