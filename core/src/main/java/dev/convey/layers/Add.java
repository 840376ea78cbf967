package dev.convey.layers;

import dev.convey.tensor.Scratch;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Add}: the element-wise sum of two or more tensors of the same shape, the join of a residual
 * block ({@code y = F(x) + shortcut(x)}). Shapes must match exactly: nothing is broadcast.
 *
 * <p>Backward: y = x_1 + ... + x_k, so dL/dx_i = dL/dy for every i. The incoming gradient is returned as it
 * is, once per input that needs it (no copy): layers never write into a gradient they are given, and a model
 * that feeds one tensor into both inputs adds the two contributions into its own buffer.
 */
public final class Add extends Layer {

    private Tensor output;

    public Add() {
        super("add");
    }

    /** Adding a residual folds into the epilogue of the layer computing the other term. */
    @Override
    public Epilogue.Step epilogueStep() {
        return Epilogue.Step.RESIDUAL;
    }

    @Override
    public Epilogue appendToEpilogue(Epilogue e, Tensor residual) {
        return e.thenAdd(residual);
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        if (inputShapes.length < 2) {
            throw shapeError("expects at least 2 inputs to add, got " + inputShapes.length);
        }
        int[] out = inputShapes[0].clone();
        for (int i = 1; i < inputShapes.length; i++) {
            int[] s = inputShapes[i];
            boolean same = s.length == out.length;
            for (int a = 0; same && a < s.length; a++) {
                same = s[a] == out[a] || s[a] == Shapes.UNKNOWN || out[a] == Shapes.UNKNOWN;
                if (out[a] == Shapes.UNKNOWN) {
                    out[a] = s[a];
                }
            }
            if (!same) {
                throw shapeError("all inputs must have the same shape (no broadcasting), but input 0 has shape "
                        + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, inputShapes[0])) + " and input " + i
                        + " has shape " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, s)));
            }
        }
        return out;
    }

    /** y[j] = sum_i x_i[j]. (Layer.forward has already checked the run-time shapes with computeOutputShape.) */
    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        output = Tensor.reuse(output, inputs[0].shape());
        // ((x_0 + x_1) + x_2) + ...
        for (int i = 1; i < inputs.length; i++) {
            Scratch.add(output.data(), (i == 1 ? inputs[0] : output).data(), inputs[i].data(), output.size());
        }
        return output;
    }

    /** dL/dx_i = dL/dy. */
    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        Tensor[] grads = new Tensor[inputGradientNeeded.length];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = inputGradientNeeded[i] ? outputGradient : null;
        }
        return grads;
    }
}
