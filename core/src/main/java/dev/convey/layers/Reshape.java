package dev.convey.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Reshape(target_shape)}: the same floats in C order under a new per-sample shape (batch kept), at
 * most one axis given as -1 and inferred. A view both ways: y = x reshaped, dL/dx = dL/dy reshaped back.
 */
public final class Reshape extends Layer {

    private final int[] targetShape;
    private int[] inputShape;
    private int[] outputShape;

    public Reshape(int... targetShape) {
        super("reshape");
        int unknown = 0;
        for (int d : targetShape) {
            if (d == Shapes.UNKNOWN) {
                unknown++;
            } else if (d < 1) {
                throw new IllegalArgumentException(describe() + ": target_shape axes must be positive or -1, got "
                        + Shapes.toString(targetShape));
            }
        }
        if (unknown > 1) {
            throw new IllegalArgumentException(describe() + ": at most one axis of target_shape may be -1, got "
                    + Shapes.toString(targetShape));
        }
        this.targetShape = targetShape.clone();
    }

    public int[] targetShape() {
        return targetShape.clone();
    }

    /** Keras 3's {@code Reshape.get_config()}. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        List<Integer> shape = new ArrayList<>();
        for (int d : targetShape) {
            shape.add(d);
        }
        c.put("target_shape", shape);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "");
        int[] out = targetShape.clone();
        int known = 1;
        int free = -1;
        for (int a = 0; a < out.length; a++) {
            if (out[a] == Shapes.UNKNOWN) {
                free = a;
            } else {
                known *= out[a];
            }
        }
        for (int d : s) {
            if (d == Shapes.UNKNOWN) {
                return out;   // the size is known only at run time
            }
        }
        int size = Shapes.size(s);
        if (free >= 0 && size % known == 0) {
            out[free] = size / known;
        } else if (free >= 0 || size != known) {
            throw shapeError("cannot reshape input shape " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, s))
                    + " (" + size + " values per sample) to target_shape " + Shapes.toString(targetShape));
        }
        return out;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        outputShape = Shapes.withBatch(x.dim(0), computeOutputShape(new int[][] {Shapes.withoutBatch(inputShape)}));
        return x.reshape(outputShape);
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (!outputGradient.hasShape(outputShape)) {
            throw shapeError("output gradient has shape " + Shapes.toString(outputGradient.shape()) + " but "
                    + Shapes.toString(outputShape) + " was expected");
        }
        return new Tensor[] {inputGradientNeeded[0] ? outputGradient.reshape(inputShape) : null};
    }
}
