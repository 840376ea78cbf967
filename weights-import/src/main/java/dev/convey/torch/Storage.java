package dev.convey.torch;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A PyTorch storage: a flat array of {@code numel} elements of one {@link DType}, which tensors view with a
 * shape, strides and an offset. The bytes stay in the file until a tensor is read ({@link #load}), so a
 * checkpoint's dictionary can be inspected without holding all its weights twice.
 */
public final class Storage {

    /** Reads the storage's bytes (exactly {@code numel * dtype.bytes()}) in their stored byte order. */
    @FunctionalInterface
    public interface Source {
        ByteBuffer read() throws IOException;
    }

    private final DType dtype;
    private final long numel;
    private final String key;
    private Source source;

    Storage(DType dtype, long numel, String key) {
        this.dtype = dtype;
        this.numel = numel;
        this.key = key;
    }

    public DType dtype() {
        return dtype;
    }

    /** The number of elements. */
    public long numel() {
        return numel;
    }

    /** The storage's key in the file (the zip entry {@code data/KEY}, the legacy format's storage id). */
    public String key() {
        return key;
    }

    void source(Source source) {
        this.source = source;
    }

    /** The bytes, read from the file now. */
    ByteBuffer load() throws IOException {
        if (source == null) {
            throw new IOException("storage '" + key + "' has no data in the file");
        }
        return source.read();
    }
}
