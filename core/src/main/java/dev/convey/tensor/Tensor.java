package dev.convey.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A dense float32 array of any rank, stored contiguously in C order. Images are NHWC (batch, height, width,
 * channels), as in Keras/TensorFlow, so a pixel's channels sit next to each other in memory.
 *
 * <p>The elements live in a direct, native-order {@link FloatBuffer}: the same memory is read by Java loops and
 * handed to OpenBLAS without a copy. {@link #data()} exposes it for kernels; element {@code i} of the tensor is
 * {@code data().get(i)} for {@code 0 <= i < size()}.
 *
 * <p>{@link #reshape} and {@link #batchSlice} return views that share the memory, which is how layers reuse
 * their output buffers from one batch to the next without allocating.
 */
public final class Tensor {

    private final int[] shape;
    private final int size;
    private final FloatBuffer data;

    private Tensor(FloatBuffer data, int[] shape) {
        this.shape = shape.clone();
        this.size = Shapes.size(shape);
        if (data.capacity() < size) {
            throw new IllegalArgumentException("Buffer of " + data.capacity() + " floats is too small for shape "
                    + Shapes.toString(shape));
        }
        this.data = data;
    }

    /** A tensor of zeros. */
    public static Tensor zeros(int... shape) {
        Shapes.requireConcrete(shape, "Tensor.zeros");
        return new Tensor(allocate(Shapes.size(shape)), shape);
    }

    /** A tensor holding a copy of {@code values} (C order), which must have exactly as many elements as the shape. */
    public static Tensor of(float[] values, int... shape) {
        Shapes.requireConcrete(shape, "Tensor.of");
        if (values.length != Shapes.size(shape)) {
            throw new IllegalArgumentException("Tensor.of: " + values.length + " values do not fill shape "
                    + Shapes.toString(shape) + " (" + Shapes.size(shape) + " elements)");
        }
        Tensor t = new Tensor(allocate(values.length), shape);
        t.data.put(0, values);
        return t;
    }

    /** A tensor with all elements equal to {@code value}. */
    public static Tensor full(float value, int... shape) {
        return zeros(shape).fill(value);
    }

    /**
     * A tensor of the given shape that reuses {@code previous}' memory when it is large enough, and allocates
     * otherwise. Layers call this on every forward pass so that steady-state training and inference do not
     * allocate large buffers. The contents are whatever was there: callers overwrite every element.
     */
    public static Tensor reuse(Tensor previous, int... shape) {
        Shapes.requireConcrete(shape, "Tensor.reuse");
        int needed = Shapes.size(shape);
        if (previous != null && previous.data.capacity() >= needed) {
            return Arrays.equals(previous.shape, shape) ? previous : new Tensor(previous.data, shape);
        }
        return new Tensor(allocate(needed), shape);
    }

    /** A zero-filled direct float buffer in native byte order. */
    public static FloatBuffer allocate(int floats) {
        if (floats < 0 || floats > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("Cannot allocate " + floats + " floats: a tensor holds at most "
                    + Integer.MAX_VALUE / Float.BYTES + " elements");
        }
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The size of one axis; negative axes count from the end as in NumPy. */
    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    /** The number of elements. */
    public int size() {
        return size;
    }

    /** The memory: elements 0 .. size()-1 in C order (the buffer may be larger than the tensor). */
    public FloatBuffer data() {
        return data;
    }

    /** A view with another shape of the same number of elements, sharing this tensor's memory. */
    public Tensor reshape(int... newShape) {
        int[] resolved = Shapes.resolveReshape(shape, newShape);
        return new Tensor(data, resolved);
    }

    /** A view of {@code count} consecutive entries of the first axis starting at {@code start}, sharing memory. */
    public Tensor batchSlice(int start, int count) {
        if (rank() == 0 || start < 0 || count < 0 || start + count > shape[0]) {
            throw new IndexOutOfBoundsException("batchSlice(" + start + ", " + count + ") of a tensor of shape "
                    + Shapes.toString(shape));
        }
        int stride = size / Math.max(1, shape[0]);
        int[] sliceShape = shape.clone();
        sliceShape[0] = count;
        return new Tensor(data.slice(start * stride, count * stride), sliceShape);
    }

    /** The element at a full index (slow: for tests and small tensors, not for kernels). */
    public float get(int... index) {
        return data.get(flatIndex(index));
    }

    /** Sets the element at a full index (slow: for tests and small tensors, not for kernels). */
    public void set(float value, int... index) {
        data.put(flatIndex(index), value);
    }

    /** Sets every element to {@code value}; returns this tensor. */
    public Tensor fill(float value) {
        for (int i = 0; i < size; i++) {
            data.put(i, value);
        }
        return this;
    }

    /** Copies the elements of {@code source}, which must have the same shape. Returns this tensor. */
    public Tensor copyFrom(Tensor source) {
        if (!Arrays.equals(shape, source.shape)) {
            throw new IllegalArgumentException("copyFrom: shape " + Shapes.toString(source.shape) + " does not match "
                    + Shapes.toString(shape));
        }
        data.put(0, source.data, 0, size);
        return this;
    }

    /** A new tensor with its own memory and the same shape and values. */
    public Tensor copy() {
        return zeros(shape).copyFrom(this);
    }

    /** The elements as a new Java array. */
    public float[] toArray() {
        float[] out = new float[size];
        data.get(0, out);
        return out;
    }

    /** True if the shapes are equal. */
    public boolean hasShape(int... other) {
        return Arrays.equals(shape, other);
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("Index of rank " + index.length + " for a tensor of shape "
                    + Shapes.toString(shape));
        }
        int flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (index[axis] < 0 || index[axis] >= shape[axis]) {
                throw new IndexOutOfBoundsException("Index " + Arrays.toString(index) + " is outside shape "
                        + Shapes.toString(shape));
            }
            flat = flat * shape[axis] + index[axis];
        }
        return flat;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Tensor").append(Shapes.toString(shape)).append(" [");
        for (int i = 0; i < Math.min(size, 8); i++) {
            s.append(i == 0 ? "" : ", ").append(data.get(i));
        }
        return s.append(size > 8 ? ", ...]" : "]").toString();
    }
}
