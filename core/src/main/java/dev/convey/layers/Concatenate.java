package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code Concatenate(axis=-1)}: joins tensors along one axis; every other axis must match. As in Keras
 * the axis counts the batch axis (axis 0), so {@code -1} (the default) is the channel axis of NHWC images and
 * {@code 1} is the height; the batch axis itself cannot be concatenated.
 *
 * <p>In C order a tensor of shape (d_0, ..., d_axis, ..., d_last) is {@code outer} consecutive blocks of
 * {@code d_axis * inner} floats, where outer = d_0 * ... * d_(axis-1) and inner = d_(axis+1) * ... * d_last.
 * Concatenation writes, for each outer index, the blocks of the inputs one after the other; backward cuts the
 * output gradient back into the same blocks.
 */
public final class Concatenate extends Layer {

    private final int axis;
    private Tensor output;
    private Tensor[] inputGradients;
    private int[] blockSizes;
    private int[][] lastInputShapes;

    /** Concatenates along the last (channel) axis. */
    public Concatenate() {
        this(-1);
    }

    /** @param axis Keras' axis, counting the batch axis as 0; negative counts from the end */
    public Concatenate(int axis) {
        super("concatenate");
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    /** The axis as an index into a shape WITHOUT the batch axis, for inputs of that rank. */
    private int symbolicAxis(int symbolicRank) {
        int full = axis < 0 ? axis + symbolicRank + 1 : axis;
        if (full == 0) {
            throw shapeError("cannot concatenate along the batch axis (axis " + axis + ")");
        }
        if (full < 0 || full > symbolicRank) {
            throw shapeError("axis " + axis + " is out of range for inputs of rank " + (symbolicRank + 1));
        }
        return full - 1;
    }

    /** Keras' {@code get_config()}: axis. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", axis());
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        if (inputShapes.length < 2) {
            throw shapeError("expects at least 2 inputs to concatenate, got " + inputShapes.length);
        }
        int a = symbolicAxis(inputShapes[0].length);
        int[] out = inputShapes[0].clone();
        for (int i = 1; i < inputShapes.length; i++) {
            int[] s = inputShapes[i];
            boolean ok = s.length == out.length;
            for (int d = 0; ok && d < s.length; d++) {
                if (d == a) {
                    out[d] = out[d] == Shapes.UNKNOWN || s[d] == Shapes.UNKNOWN ? Shapes.UNKNOWN : out[d] + s[d];
                } else {
                    ok = s[d] == out[d] || s[d] == Shapes.UNKNOWN || out[d] == Shapes.UNKNOWN;
                    out[d] = out[d] == Shapes.UNKNOWN ? s[d] : out[d];
                }
            }
            if (!ok) {
                throw shapeError("inputs must match on every axis except the concatenation axis " + axis
                        + ", but input 0 has shape " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, inputShapes[0]))
                        + " and input " + i + " has shape " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, s)));
            }
        }
        return out;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        int a = symbolicAxis(inputs[0].rank() - 1) + 1; // axis in the full (batched) shape
        int[] outShape = inputs[0].shape();
        outShape[a] = 0;
        blockSizes = new int[inputs.length];
        lastInputShapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            lastInputShapes[i] = inputs[i].shape();
            outShape[a] += inputs[i].dim(a);
            blockSizes[i] = inputs[i].dim(a) * innerSize(inputs[i], a);
        }
        output = Tensor.reuse(output, outShape);
        int outer = outerSize(inputs[0], a);
        Tensor y = output;
        int outBlock = y.size() / Math.max(1, outer);
        Parallel.range(outer, 64, (start, end) -> {
            for (int o = start; o < end; o++) {
                int offset = o * outBlock;
                for (int i = 0; i < inputs.length; i++) {
                    y.data().put(offset, inputs[i].data(), o * blockSizes[i], blockSizes[i]);
                    offset += blockSizes[i];
                }
            }
        });
        return y;
    }

    /** dL/dx_i is the block of dL/dy that x_i was copied to. */
    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        int[][] shapes = lastInputShapes;
        if (inputGradients == null) {
            inputGradients = new Tensor[shapes.length];
        }
        int a = symbolicAxis(shapes[0].length - 1) + 1;
        int outer = outerSize(output, a);
        int outBlock = output.size() / Math.max(1, outer);
        Tensor[] result = new Tensor[shapes.length];
        int blockStart = 0;
        for (int i = 0; i < shapes.length; i++) {
            if (inputGradientNeeded[i]) {
                Tensor dx = Tensor.reuse(inputGradients[i], shapes[i]);
                inputGradients[i] = dx;
                int from = blockStart;
                int size = blockSizes[i];
                Parallel.range(outer, 64, (start, end) -> {
                    for (int o = start; o < end; o++) {
                        dx.data().put(o * size, outputGradient.data(), o * outBlock + from, size);
                    }
                });
                result[i] = dx;
            }
            blockStart += blockSizes[i];
        }
        return result;
    }

    /** d_0 * ... * d_(axis-1) of a batched tensor. */
    private static int outerSize(Tensor t, int fullAxis) {
        int n = 1;
        for (int d = 0; d < fullAxis; d++) {
            n *= t.dim(d);
        }
        return n;
    }

    /** d_(axis+1) * ... * d_last of a batched tensor. */
    private static int innerSize(Tensor t, int fullAxis) {
        int n = 1;
        for (int d = fullAxis + 1; d < t.rank(); d++) {
            n *= t.dim(d);
        }
        return n;
    }
}
