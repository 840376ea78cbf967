package dev.convey.torch;

import java.nio.ByteBuffer;

/**
 * The element types of PyTorch tensors a checkpoint may hold, with their three spellings: the legacy storage
 * class of a pickle ({@code torch.FloatStorage}), the safetensors code ({@code F32}) and the size in bytes.
 * Floating types convert to float32 (float64 rounds to nearest, as {@code tensor.float()} does); integer types
 * are read exactly as longs (a BatchNorm's {@code num_batches_tracked}).
 */
public enum DType {
    FLOAT32("FloatStorage", "F32", 4, true),
    FLOAT16("HalfStorage", "F16", 2, true),
    BFLOAT16("BFloat16Storage", "BF16", 2, true),
    FLOAT64("DoubleStorage", "F64", 8, true),
    INT64("LongStorage", "I64", 8, false),
    INT32("IntStorage", "I32", 4, false),
    INT16("ShortStorage", "I16", 2, false),
    INT8("CharStorage", "I8", 1, false),
    UINT8("ByteStorage", "U8", 1, false),
    BOOL("BoolStorage", "BOOL", 1, false);

    private final String storageClass;
    private final String safetensorsCode;
    private final int bytes;
    private final boolean floating;

    DType(String storageClass, String safetensorsCode, int bytes, boolean floating) {
        this.storageClass = storageClass;
        this.safetensorsCode = safetensorsCode;
        this.bytes = bytes;
        this.floating = floating;
    }

    /** The storage class name in module {@code torch}, as pickles name it: {@code FloatStorage}. */
    public String storageClass() {
        return storageClass;
    }

    /** The dtype string of a safetensors header: {@code F32}. */
    public String safetensorsCode() {
        return safetensorsCode;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return floating;
    }

    /** The type whose storage class is {@code torch.NAME}, or null. */
    public static DType ofStorageClass(String name) {
        for (DType t : values()) {
            if (t.storageClass.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The type with this safetensors code, or null. */
    public static DType ofSafetensorsCode(String code) {
        for (DType t : values()) {
            if (t.safetensorsCode.equals(code)) {
                return t;
            }
        }
        return null;
    }

    /** Element {@code i} of the buffer (in the buffer's byte order) as a float. */
    float getFloat(ByteBuffer b, int i) {
        return switch (this) {
            case FLOAT32 -> b.getFloat(i * 4);
            case FLOAT16 -> halfToFloat(b.getShort(i * 2));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            case FLOAT64 -> (float) b.getDouble(i * 8);
            default -> (float) getLong(b, i);
        };
    }

    /** Element {@code i} as a long (integer types; floating types are truncated toward zero). */
    long getLong(ByteBuffer b, int i) {
        return switch (this) {
            case INT64 -> b.getLong(i * 8);
            case INT32 -> b.getInt(i * 4);
            case INT16 -> b.getShort(i * 2);
            case INT8 -> b.get(i);
            case UINT8, BOOL -> b.get(i) & 0xff;
            default -> (long) getFloat(b, i);
        };
    }

    /**
     * IEEE 754 binary16 to binary32: sign, 5-bit exponent (bias 15), 10-bit fraction. Subnormals (exponent 0)
     * are fraction * 2^-24; exponent 31 is infinity or NaN.
     */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h >>> 15) << 31;
        int exponent = (h >>> 10) & 0x1f;
        int fraction = h & 0x3ff;
        if (exponent == 0) {
            float magnitude = fraction * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (fraction << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (fraction << 13));
    }
}
