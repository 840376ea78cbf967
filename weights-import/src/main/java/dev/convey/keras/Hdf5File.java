package dev.convey.keras;

import dev.convey.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.bytedeco.hdf5.H5E_error2_t;
import org.bytedeco.hdf5.H5E_walk2_t;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.H5O_info2_t;
import org.bytedeco.javacpp.Pointer;

import static org.bytedeco.hdf5.global.hdf5.H5E_DEFAULT;
import static org.bytedeco.hdf5.global.hdf5.H5E_WALK_DOWNWARD;
import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5Ewalk2;
import static org.bytedeco.hdf5.global.hdf5.H5O_INFO_BASIC;
import static org.bytedeco.hdf5.global.hdf5.H5Oget_info3;

/**
 * An open HDF5 file: a thin, typed layer over the HDF5 C++ API (bytedeco presets) that does what Keras' h5py
 * code does: groups, string and float attributes, float datasets. See {@link Hdf5Group} for the operations.
 *
 * <p>Errors: HDF5's automatic printing to stderr is switched off; every native call goes through
 * {@link #call}, which turns the C++ exception the presets raise into an {@link Hdf5Exception} naming this file,
 * the operation, and the innermost entry of HDF5's error stack (the specific cause). A file that is not HDF5,
 * truncated or corrupt therefore gives a Java exception, never a crash.
 *
 * <p>HDF5 builds are not thread-safe, so all calls are serialized on one lock. Groups opened through a file
 * are closed with it.
 */
public final class Hdf5File implements AutoCloseable {

    /** Serializes every call into the HDF5 library. */
    private static final Object LIBRARY_LOCK = new Object();
    /** The innermost HDF5 error description, collected by {@link #ERROR_WALK}; guarded by LIBRARY_LOCK. */
    private static String innermostError;
    private static final H5E_walk2_t ERROR_WALK = new H5E_walk2_t() {
        @Override
        public int call(int n, H5E_error2_t error, Pointer clientData) {
            // Walking downward, the last entry visited is the deepest, most specific one.
            innermostError = error.desc() == null ? null : error.desc().getString();
            return 0;
        }
    };

    /** Elements a dataset or attribute may declare at most ({@code -Dconvey.hdf5.maxElements}, default 2^31 - 1). */
    private static volatile long maxElements = Long.getLong("convey.hdf5.maxElements", Integer.MAX_VALUE);

    private final Path path;
    private final H5File file;
    /** The Java-side checks of what libhdf5 will read (null for a file being written). */
    private final Hdf5Layout layout;
    private final Hdf5HeapCheck heapCheck;
    private final Deque<Pointer> openObjects = new ArrayDeque<>();
    private final Hdf5Group root;

    private Hdf5File(Path path, boolean create) {
        this.path = path;
        if (!create && !Files.isRegularFile(path)) {
            throw new Hdf5Exception("HDF5 file not found: " + path);
        }
        // Signature, superblock and truncation are checked in Java before libhdf5 sees the file.
        this.layout = create ? null : Hdf5Layout.open(path);
        this.heapCheck = create ? null : new Hdf5HeapCheck(layout);
        try {
            this.file = call(create ? "create the file" : "open the file",
                    () -> new H5File(path.toString(), create ? H5F_ACC_TRUNC : H5F_ACC_RDONLY));
        } catch (RuntimeException e) {
            if (layout != null) {
                layout.close();
            }
            throw e;
        }
        this.root = new Hdf5Group(this, file, "/");
    }

    /** Opens an existing file read-only. */
    public static Hdf5File open(Path path) {
        return new Hdf5File(path, false);
    }

    /** Creates (or truncates) a file for writing. Prefer {@link #writeAtomically}. */
    public static Hdf5File create(Path path) {
        return new Hdf5File(path, true);
    }

    /**
     * Writes a file the safe way: into a temporary file next to {@code target}, which replaces {@code target}
     * only once it is complete and closed. A failure leaves any previous {@code target} untouched.
     */
    public static void writeAtomically(Path target, Consumer<Hdf5Group> writer) {
        try {
            AtomicFiles.write(target, temporary -> {
                try (Hdf5File out = create(temporary)) {
                    writer.accept(out.root());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + target.toAbsolutePath(), e);
        }
    }

    /** The largest number of elements a dataset or attribute may declare (a guard against absurd files). */
    public static void setMaxElements(long limit) {
        maxElements = limit;
    }

    /**
     * Fails unless {@code elements} of {@code bytesEach} bytes could be in this file and are within the limit:
     * called before allocating for a read, so that a file declaring 2^40 values costs an exception, not the heap.
     */
    void requirePlausible(long elements, long bytesEach, String what) {
        if (elements > maxElements) {
            throw new Hdf5Exception(path + ": " + what + " declares " + elements + " elements, more than the limit of "
                    + maxElements + " (Hdf5File.setMaxElements, -Dconvey.hdf5.maxElements)");
        }
        if (layout != null && elements > layout.fileSize() / Math.max(1, bytesEach)) {
            throw new Hdf5Exception(path + ": " + what + " declares " + elements + " elements of " + bytesEach
                    + " bytes, more than the file's " + layout.fileSize() + " bytes could hold: the file is corrupt");
        }
    }

    /**
     * Checks the variable-length strings of attribute {@code name} of the object at {@code headerAddress} in Java
     * before libhdf5 follows their heap references (see {@link Hdf5HeapCheck}).
     */
    void checkVariableLengthStrings(Group holder, String name, String what) {
        if (heapCheck != null) {
            heapCheck.checkVariableLengthStrings(headerAddress(holder, what), name, what);
        }
    }

    /** The file address of an object's header: the first bytes of the object token libhdf5 gives for it. */
    private long headerAddress(Group holder, String what) {
        try (H5O_info2_t info = new H5O_info2_t()) {
            if (H5Oget_info3(holder.getId(), info, H5O_INFO_BASIC) < 0) {
                throw new Hdf5Exception(path + ": could not locate the object holding " + what);
            }
            long address = 0;
            for (int i = layout.offsetSize() - 1; i >= 0; i--) {
                address = (address << 8) | (info.token().__data(i) & 0xFF);
            }
            return address;
        }
    }

    int offsetSize() {
        return layout == null ? 8 : layout.offsetSize();
    }

    /** The root group "/". */
    public Hdf5Group root() {
        return root;
    }

    public Path path() {
        return path;
    }

    /** Closes every group opened through this file, then the file (which flushes it). */
    @Override
    public void close() {
        call("close the file", () -> {
            while (!openObjects.isEmpty()) {
                openObjects.pop().close();
            }
            file._close();
            file.close();
            if (layout != null) {
                layout.close();
            }
            return null;
        });
    }

    /** Remembers a native object to close with the file. */
    <T extends Pointer> T track(T object) {
        openObjects.push(object);
        return object;
    }

    /**
     * Runs native HDF5 code under the library lock and turns the presets' exceptions into an
     * {@link Hdf5Exception} "FILE: could not WHAT: HDF5's message (innermost cause)".
     */
    <T> T call(String what, Supplier<T> action) {
        synchronized (LIBRARY_LOCK) {
            org.bytedeco.hdf5.Exception.dontPrint();
            try {
                return action.get();
            } catch (Hdf5Exception | IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                innermostError = null;
                H5Ewalk2(H5E_DEFAULT(), H5E_WALK_DOWNWARD, ERROR_WALK, null);
                String cause = innermostError == null ? "" : " (" + innermostError + ")";
                throw new Hdf5Exception(path + ": could not " + what + ": " + e.getMessage() + cause, e);
            }
        }
    }

    @Override
    public String toString() {
        return "Hdf5File(" + path + ")";
    }
}
