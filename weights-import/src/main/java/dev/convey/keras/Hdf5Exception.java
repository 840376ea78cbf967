package dev.convey.keras;

/**
 * A problem with an HDF5 file: not HDF5 at all, truncated, corrupt, or without the group, dataset or attribute
 * a reader needs. The message names the file and the object inside it, and ends with HDF5's own most specific
 * explanation when there is one ("truncated file: eof = 5000, ... stored_eof = 22584").
 */
public class Hdf5Exception extends RuntimeException {

    public Hdf5Exception(String message) {
        super(message);
    }

    public Hdf5Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
