package dev.convey.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * A PyTorch tensor as a checkpoint describes it: a view of a {@link Storage} with a shape, strides (in
 * elements) and a storage offset, as {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride)}
 * rebuilds it. Element {@code [i0, i1, ...]} is {@code storage[offset + i0*stride0 + i1*stride1 + ...]}; the
 * constructor checks that every such index lies inside the storage, so reading can never go out of bounds.
 */
public final class TorchTensor {

    private final Storage storage;
    private final long offset;
    private final int[] shape;
    private final long[] strides;
    private final boolean requiresGrad;

    TorchTensor(Storage storage, long offset, int[] shape, long[] strides, boolean requiresGrad) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.requiresGrad = requiresGrad;
        long last = offset;
        for (int a = 0; a < shape.length; a++) {
            if (shape[a] == 0) {
                last = -1;
                break;
            }
            last += (long) (shape[a] - 1) * strides[a];
        }
        if (offset < 0 || last >= storage.numel()) {
            throw new IllegalArgumentException("a tensor of shape " + Arrays.toString(shape) + ", strides "
                    + Arrays.toString(strides) + " and offset " + offset + " reaches element " + last
                    + " of a storage of " + storage.numel() + " elements");
        }
    }

    /** A contiguous float32 tensor holding these values (for writing checkpoints). */
    public static TorchTensor of(float[] values, int... shape) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return inMemory(DType.FLOAT32, bytes, values.length, shape);
    }

    /** A contiguous int64 tensor (for BatchNorm's {@code num_batches_tracked}, a scalar: shape {}). */
    public static TorchTensor ofLongs(long[] values, int... shape) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return inMemory(DType.INT64, bytes, values.length, shape);
    }

    private static TorchTensor inMemory(DType dtype, ByteBuffer bytes, int numel, int[] shape) {
        if (Shapes.size(shape) != numel) {
            throw new IllegalArgumentException(numel + " values do not fill shape " + Arrays.toString(shape));
        }
        Storage storage = new Storage(dtype, numel, "memory");
        storage.source(() -> bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        return new TorchTensor(storage, 0, shape, contiguousStrides(shape), false);
    }

    /** C-order strides of a shape: the last axis has stride 1. */
    static long[] contiguousStrides(int[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            strides[a] = s;
            s *= shape[a];
        }
        return strides;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The number of elements (the product of the shape; 1 for a scalar). */
    public int numel() {
        return Shapes.size(shape);
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    Storage storage() {
        return storage;
    }

    /** The elements in C order as float32, read from the file now. */
    public float[] toFloatArray() throws IOException {
        ByteBuffer bytes = storage.load();
        float[] out = new float[numel()];
        DType t = storage.dtype();
        forEachIndex((i, s) -> out[i] = t.getFloat(bytes, s));
        return out;
    }

    /** The elements in C order as longs (exact for integer types). */
    public long[] toLongArray() throws IOException {
        ByteBuffer bytes = storage.load();
        long[] out = new long[numel()];
        DType t = storage.dtype();
        forEachIndex((i, s) -> out[i] = t.getLong(bytes, s));
        return out;
    }

    /** The values as a Convey tensor of the same shape (C order). */
    public Tensor toTensor() throws IOException {
        return Tensor.of(toFloatArray(), shape.length == 0 ? new int[] {1} : shape);
    }

    private interface IndexVisitor {
        void visit(int index, int storageIndex);
    }

    /** Visits element i (C order) with its storage index offset + sum(index_a * stride_a), odometer style. */
    private void forEachIndex(IndexVisitor visitor) {
        int n = numel();
        int[] counter = new int[shape.length];
        long s = offset;
        for (int i = 0; i < n; i++) {
            visitor.visit(i, (int) s);
            for (int a = shape.length - 1; a >= 0; a--) {
                s += strides[a];
                if (++counter[a] < shape[a]) {
                    break;
                }
                s -= strides[a] * shape[a];
                counter[a] = 0;
            }
        }
    }

    @Override
    public String toString() {
        return storage.dtype().name().toLowerCase() + Arrays.toString(shape);
    }
}
