package dev.convey.blas;

import org.bytedeco.javacpp.Loader;

/** Thrown when a native library (OpenBLAS, Convey's kernels) cannot be loaded on this machine. */
public final class NativeLibraryError extends Error {
    public NativeLibraryError(String message, Throwable cause) {
        super(message, cause);
    }

    /** Loads the JavaCPP library of {@code bridge} (a class with a @Platform); returns why it failed, or null. */
    static Throwable loadFailure(Class<?> bridge) {
        try {
            Loader.load(bridge);
            return null;
        } catch (Throwable e) {
            return e;
        }
    }
}
