package dev.convey.blas;

/** Thrown when the OpenBLAS native library cannot be loaded on this machine. */
public final class NativeLibraryError extends Error {
    public NativeLibraryError(String message, Throwable cause) {
        super(message, cause);
    }
}
