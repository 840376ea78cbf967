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
 *
 * <p>A tensor made by {@link #reuse} is a <em>transient</em> buffer: a layer's output, which an inference pass may
 * hand back to its {@link BufferPool} once the last layer reading it has run ({@link BufferPool#release}). From
 * then on the tensor and every view of it are <em>released</em>: {@link #data()} throws rather than let a kernel
 * read memory that now holds another layer's output, and the next {@code reuse} of it takes a buffer from the
 * pool. Tensors made by {@link #zeros} or {@link #of} (weights, user inputs) are never released.
 */
public final class Tensor {

    private final int[] shape;
    private final int size;
    /** The memory; null once the root's memory went back to a pool (then {@code root.released}). */
    private FloatBuffer data;
    /** The tensor that owns the memory: this one, or the one this view was made from. */
    private final Tensor root;
    /** Made by {@link #reuse}: its memory may be given to a {@link BufferPool} (meaningful on a root). */
    private final boolean transientBuffer;
    /** The memory was given to a {@link BufferPool} (set on a root; views read their root's). */
    private boolean released;

    /** A root tensor owning {@code data}. */
    private Tensor(FloatBuffer data, int[] shape, boolean transientBuffer) {
        this(data, shape, null, transientBuffer);
    }

    /** A view sharing {@code of}'s memory. */
    private Tensor(FloatBuffer data, int[] shape, Tensor of) {
        this(data, shape, of.root, false);
    }

    private Tensor(FloatBuffer data, int[] shape, Tensor root, boolean transientBuffer) {
        this.shape = shape.clone();
        this.size = Shapes.size(shape);
        if (data.capacity() < size) {
            throw new IllegalArgumentException("Buffer of " + data.capacity() + " floats is too small for shape "
                    + Shapes.toString(shape));
        }
        this.data = data;
        this.root = root == null ? this : root;
        this.transientBuffer = transientBuffer;
    }

    /** A tensor of zeros. */
    public static Tensor zeros(int... shape) {
        Shapes.requireConcrete(shape, "Tensor.zeros");
        return new Tensor(allocate(Shapes.size(shape)), shape, false);
    }

    /** A tensor holding a copy of {@code values} (C order), which must have exactly as many elements as the shape. */
    public static Tensor of(float[] values, int... shape) {
        Shapes.requireConcrete(shape, "Tensor.of");
        if (values.length != Shapes.size(shape)) {
            throw new IllegalArgumentException("Tensor.of: " + values.length + " values do not fill shape "
                    + Shapes.toString(shape) + " (" + Shapes.size(shape) + " elements)");
        }
        Tensor t = new Tensor(allocate(values.length), shape, false);
        t.data.put(0, values);
        return t;
    }

    /** A tensor with all elements equal to {@code value}. */
    public static Tensor full(float value, int... shape) {
        return zeros(shape).fill(value);
    }

    /**
     * A tensor of the given shape that reuses {@code previous}' memory when it is large enough and not released;
     * otherwise a buffer from the calling thread's active {@link BufferPool} (inside a model's forward pass) or a
     * new one. Layers call this on every forward pass so that steady-state training and inference do not
     * allocate large buffers. The contents are whatever was there: callers overwrite every element.
     */
    public static Tensor reuse(Tensor previous, int... shape) {
        Shapes.requireConcrete(shape, "Tensor.reuse");
        int needed = Shapes.size(shape);
        if (previous != null && !previous.isReleased() && previous.data.capacity() >= needed) {
            return Arrays.equals(previous.shape, shape) ? previous : new Tensor(previous.data, shape, previous);
        }
        return new Tensor(BufferPool.takeOrAllocate(needed), shape, true);
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

    /**
     * The memory: elements 0 .. size()-1 in C order (the buffer may be larger than the tensor). Throws if the
     * tensor was released (see the class comment).
     */
    public FloatBuffer data() {
        if (root.released) {
            throw new IllegalStateException("Tensor" + Shapes.toString(shape) + " was released: an inference pass gave "
                    + "its memory to the next layers once its last reader had run (copy() a value to keep it)");
        }
        return data;
    }

    /** The tensor owning this one's memory: itself, or the tensor this view (reshape, batchSlice) was made from. */
    public Tensor root() {
        return root;
    }

    /** True once this tensor's memory (its root's) went back to a {@link BufferPool}. */
    public boolean isReleased() {
        return root.released;
    }

    /** True for a root made by {@link #reuse}, whose memory a {@link BufferPool} may take. */
    boolean isTransientRoot() {
        return root == this && transientBuffer;
    }

    /** Marks this root released and hands over its memory ({@link BufferPool#release}). */
    FloatBuffer giveUpMemory() {
        FloatBuffer memory = data;
        released = true;
        data = null;
        return memory;
    }

    /** A view with another shape of the same number of elements, sharing this tensor's memory. */
    public Tensor reshape(int... newShape) {
        int[] resolved = Shapes.resolveReshape(shape, newShape);
        return new Tensor(data(), resolved, this);
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
        return new Tensor(data().slice(start * stride, count * stride), sliceShape, this);
    }

    /** The element at a full index (slow: for tests and small tensors, not for kernels). */
    public float get(int... index) {
        return data().get(flatIndex(index));
    }

    /** Sets the element at a full index (slow: for tests and small tensors, not for kernels). */
    public void set(float value, int... index) {
        data().put(flatIndex(index), value);
    }

    /** Sets every element to {@code value}; returns this tensor. */
    public Tensor fill(float value) {
        FloatBuffer memory = data();
        for (int i = 0; i < size; i++) {
            memory.put(i, value);
        }
        return this;
    }

    /** Copies the elements of {@code source}, which must have the same shape. Returns this tensor. */
    public Tensor copyFrom(Tensor source) {
        if (!Arrays.equals(shape, source.shape)) {
            throw new IllegalArgumentException("copyFrom: shape " + Shapes.toString(source.shape) + " does not match "
                    + Shapes.toString(shape));
        }
        data().put(0, source.data(), 0, size);
        return this;
    }

    /** A new tensor with its own memory and the same shape and values. */
    public Tensor copy() {
        return zeros(shape).copyFrom(this);
    }

    /** The elements as a new Java array. */
    public float[] toArray() {
        float[] out = new float[size];
        data().get(0, out);
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
        StringBuilder s = new StringBuilder("Tensor").append(Shapes.toString(shape));
        if (isReleased()) {
            return s.append(" (released)").toString();
        }
        s.append(" [");
        for (int i = 0; i < Math.min(size, 8); i++) {
            s.append(i == 0 ? "" : ", ").append(data.get(i));
        }
        return s.append(size > 8 ? ", ...]" : "]").toString();
    }
}
