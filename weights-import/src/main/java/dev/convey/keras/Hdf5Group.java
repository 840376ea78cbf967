package dev.convey.keras;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_DATASET;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_GROUP;
import static org.bytedeco.hdf5.global.hdf5.H5S_SCALAR;
import static org.bytedeco.hdf5.global.hdf5.H5T_FLOAT;
import static org.bytedeco.hdf5.global.hdf5.H5T_INTEGER;
import static org.bytedeco.hdf5.global.hdf5.H5T_STRING;

/**
 * A group of an {@link Hdf5File} (a directory of datasets, subgroups and attributes). Names may be paths
 * relative to this group ({@code "block1_conv1/kernel:0"}).
 *
 * <p>The attribute types are the ones Keras (through h5py) reads and writes:
 * <ul>
 *   <li>string arrays, stored as fixed-length, NUL-padded byte strings (NumPy's {@code S21}: what Keras writes
 *       for {@code layer_names} and {@code weight_names}) or as variable-length strings;
 *   <li>single strings ({@code model_config}, {@code backend}): variable-length, scalar;
 *   <li>float64 arrays, including the empty one Keras writes as {@code weight_names} of a weightless layer.
 * </ul>
 * Datasets are read as float32 from float32 or float64 storage, and written as little-endian float32.
 */
public final class Hdf5Group {

    private final Hdf5File file;
    private final Group group;
    private final String path;

    Hdf5Group(Hdf5File file, Group group, String path) {
        this.file = file;
        this.group = group;
        this.path = path;
    }

    /** The absolute path of this group inside the file, e.g. {@code /model_weights}. */
    public String path() {
        return path;
    }

    public Hdf5File file() {
        return file;
    }

    // ---------------------------------------------------------------- structure

    /** The names of the direct children (groups and datasets), in HDF5's (alphabetical) order. */
    public List<String> children() {
        return file.call("list the children of " + path, () -> {
            List<String> names = new ArrayList<>();
            long n = group.getNumObjs();
            for (long i = 0; i < n; i++) {
                int length = (int) group.getObjnameByIdx(i, (byte[]) null, 0);
                byte[] name = new byte[length + 1];
                group.getObjnameByIdx(i, name, length + 1);
                names.add(new String(name, 0, length, StandardCharsets.UTF_8));
            }
            return names;
        });
    }

    /** True if {@code name} (a relative path) exists and is a group. */
    public boolean hasGroup(String name) {
        return objectType(name) == H5O_TYPE_GROUP;
    }

    /** True if {@code name} (a relative path) exists and is a dataset. */
    public boolean hasDataset(String name) {
        return objectType(name) == H5O_TYPE_DATASET;
    }

    /** Opens a subgroup; it is closed with the file. */
    public Hdf5Group group(String name) {
        if (!hasGroup(name)) {
            throw new Hdf5Exception(file.path() + ": no group '" + name + "' in " + path + " (it has: "
                    + String.join(", ", children()) + ")");
        }
        return new Hdf5Group(file, file.call("open group " + child(name), () -> file.track(group.openGroup(name))), child(name));
    }

    /** Creates a subgroup (and any missing intermediate groups, as h5py does). */
    public Hdf5Group createGroup(String name) {
        Hdf5Group parent = parentOf(name);
        String last = name.substring(name.lastIndexOf('/') + 1);
        return new Hdf5Group(file, file.call("create group " + child(name),
                () -> file.track(parent.group.createGroup(last))), child(name));
    }

    /** -1 if absent. Links are checked one path component at a time (HDF5 fails on a missing parent). */
    private int objectType(String name) {
        return file.call("look up " + child(name), () -> {
            String[] parts = name.split("/");
            StringBuilder prefix = new StringBuilder();
            for (String part : parts) {
                prefix.append(prefix.length() == 0 ? "" : "/").append(part);
                if (!group.nameExists(prefix.toString())) {
                    return -1;
                }
            }
            return group.childObjType(name);
        });
    }

    /** The group that will hold {@code name}: this one, or a (created if missing) intermediate group. */
    private Hdf5Group parentOf(String name) {
        int slash = name.lastIndexOf('/');
        if (slash < 0) {
            return this;
        }
        String parent = name.substring(0, slash);
        return hasGroup(parent) ? group(parent) : createGroup(parent);
    }

    private String child(String name) {
        return path.endsWith("/") ? path + name : path + "/" + name;
    }

    // ---------------------------------------------------------------- attributes

    /** The names of this group's attributes. */
    public List<String> attributeNames() {
        return file.call("list the attributes of " + path, () -> {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < group.getNumAttrs(); i++) {
                try (Attribute a = group.openAttribute(i); BytePointer name = a.getName()) {
                    names.add(name.getString(StandardCharsets.UTF_8));
                }
            }
            return names;
        });
    }

    public boolean hasAttribute(String name) {
        return file.call("look up attribute " + attributeName(name), () -> group.attrExists(name));
    }

    /**
     * A string-array attribute (fixed- or variable-length strings; a scalar string gives one element). An empty
     * float64 array, Keras' {@code weight_names} of a weightless layer, gives an empty list.
     */
    public List<String> readStrings(String name) {
        requireAttribute(name);
        return file.call("read attribute " + attributeName(name), () -> {
            try (Attribute a = group.openAttribute(name); DataType type = a.getDataType(); DataSpace space = a.getSpace()) {
                long declared = space.getSimpleExtentNpoints();
                int typeClass = type._getClass();
                if (typeClass == H5T_FLOAT && declared == 0) {
                    return List.of();
                }
                if (typeClass != H5T_STRING) {
                    throw new Hdf5Exception(file.path() + ": attribute " + attributeName(name) + " holds "
                            + describeType(typeClass) + ", not strings");
                }
                boolean variable = type.isVariableStr();
                long bytesEach = variable ? 8 + file.offsetSize() : Math.max(1, type.getSize());
                file.requirePlausible(declared, bytesEach, "attribute " + attributeName(name));
                int n = (int) declared;
                if (variable) {
                    file.checkVariableLengthStrings(group, name, attributeName(name));
                    return Hdf5Strings.readVariableLength(a, space, n);
                }
                return Hdf5Strings.readFixedLength(a, type, n);
            }
        });
    }

    /** A single-string attribute such as {@code model_config}. */
    public String readString(String name) {
        List<String> values = readStrings(name);
        if (values.size() != 1) {
            throw new Hdf5Exception(file.path() + ": attribute " + attributeName(name) + " holds " + values.size()
                    + " strings; expected one");
        }
        return values.get(0);
    }

    /** A float attribute as doubles (any float storage; an empty array gives an empty array). */
    public double[] readDoubles(String name) {
        requireAttribute(name);
        return file.call("read attribute " + attributeName(name), () -> {
            try (Attribute a = group.openAttribute(name); DataType type = a.getDataType(); DataSpace space = a.getSpace()) {
                if (type._getClass() != H5T_FLOAT) {
                    throw new Hdf5Exception(file.path() + ": attribute " + attributeName(name) + " holds "
                            + describeType(type._getClass()) + ", not floats");
                }
                long declared = space.getSimpleExtentNpoints();
                file.requirePlausible(declared, type.getSize(), "attribute " + attributeName(name));
                int n = (int) declared;
                double[] values = new double[n];
                if (n > 0) {
                    try (DoublePointer buffer = new DoublePointer(n)) {
                        a.read(PredType.NATIVE_DOUBLE(), buffer);
                        buffer.get(values);
                    }
                }
                return values;
            }
        });
    }

    /**
     * Writes a string array as h5py writes a NumPy byte-string array ({@code np.array([b'a', b'bc'])}): fixed
     * length = the longest UTF-8 encoding, NUL-padded. An empty list is written as Keras does for a weightless
     * layer: an empty float64 array.
     */
    public void writeStrings(String name, List<String> values) {
        if (values.isEmpty()) {
            writeDoubles(name, new double[0]);
            return;
        }
        file.call("write attribute " + attributeName(name), () -> {
            removeAttribute(name);
            Hdf5Strings.writeFixedLength(group, name, values);
            return null;
        });
    }

    /** Writes one variable-length UTF-8 string as a scalar attribute, as h5py does for a Python str. */
    public void writeString(String name, String value) {
        file.call("write attribute " + attributeName(name), () -> {
            removeAttribute(name);
            Hdf5Strings.writeVariableLength(group, name, value);
            return null;
        });
    }

    /** Writes a float64 array attribute (possibly empty). */
    public void writeDoubles(String name, double[] values) {
        file.call("write attribute " + attributeName(name), () -> {
            removeAttribute(name);
            try (DataSpace space = new DataSpace(1, new long[] {values.length});
                 Attribute a = group.createAttribute(name, PredType.IEEE_F64LE(), space)) {
                if (values.length > 0) {
                    try (DoublePointer data = new DoublePointer(values)) {
                        a.write(PredType.NATIVE_DOUBLE(), data);
                    }
                }
            }
            return null;
        });
    }

    private void removeAttribute(String name) {
        if (group.attrExists(name)) {
            group.removeAttr(name);
        }
    }

    private void requireAttribute(String name) {
        if (!hasAttribute(name)) {
            throw new Hdf5Exception(file.path() + ": no attribute " + attributeName(name) + " (attributes here: "
                    + String.join(", ", attributeNames()) + ")");
        }
    }

    private String attributeName(String name) {
        return "'" + name + "' of " + path;
    }

    private static String describeType(int typeClass) {
        return typeClass == H5T_INTEGER ? "integers" : typeClass == H5T_FLOAT ? "floats"
                : typeClass == H5T_STRING ? "strings" : "values of HDF5 type class " + typeClass;
    }

    // ---------------------------------------------------------------- datasets

    /** The shape of a dataset (empty for a scalar). */
    public int[] datasetShape(String name) {
        requireDataset(name);
        return file.call("read the shape of " + child(name), () -> {
            try (DataSet ds = group.openDataSet(name); DataSpace space = ds.getSpace()) {
                return shapeOf(space);
            }
        });
    }

    /**
     * Reads a float32 or float64 dataset as a float32 tensor (HDF5 converts float64 on the fly), or an integer one
     * (Normalization's {@code count}, int64 in Keras' EfficientNet files) converted to float32 the same way.
     */
    public Tensor readDataset(String name) {
        requireDataset(name);
        return file.call("read dataset " + child(name), () -> {
            try (DataSet ds = group.openDataSet(name); DataType type = ds.asAbstractDs().getDataType(); DataSpace space = ds.getSpace()) {
                if (type._getClass() != H5T_FLOAT && type._getClass() != H5T_INTEGER) {
                    throw new Hdf5Exception(file.path() + ": dataset " + child(name) + " holds "
                            + describeType(type._getClass()) + "; expected float32 or float64 weights (or integers)");
                }
                int[] shape = shapeOf(space);
                file.requirePlausible(Shapes.size(shape), type.getSize(), "dataset " + child(name));
                Tensor out = Tensor.zeros(shape);
                if (out.size() > 0) {
                    // Read straight into the tensor's direct buffer: no Java-side copy of large kernels.
                    try (FloatPointer target = new FloatPointer(out.data())) {
                        ds.read(target, PredType.NATIVE_FLOAT());
                    }
                }
                return out;
            }
        });
    }

    /** Writes a tensor as a little-endian float32 dataset, creating intermediate groups as needed. */
    public void writeDataset(String name, Tensor value) {
        Hdf5Group parent = parentOf(name);
        String last = name.substring(name.lastIndexOf('/') + 1);
        int[] shape = value.shape();
        long[] dims = Arrays.stream(shape).asLongStream().toArray();
        file.call("write dataset " + child(name), () -> {
            try (DataSpace space = shape.length == 0 ? new DataSpace(H5S_SCALAR) : new DataSpace(shape.length, dims);
                 DataSet ds = parent.group.createDataSet(last, PredType.IEEE_F32LE(), space)) {
                if (value.size() > 0) {
                    try (FloatPointer source = new FloatPointer(value.data())) {
                        ds.write(source, PredType.NATIVE_FLOAT());
                    }
                }
            }
            return null;
        });
    }

    /** Reads a scalar integer dataset (Keras 3's {@code optimizer/vars/0}, the iteration count, int64). */
    public long readLong(String name) {
        requireDataset(name);
        return file.call("read dataset " + child(name), () -> {
            try (DataSet ds = group.openDataSet(name); DataType type = ds.asAbstractDs().getDataType();
                 DataSpace space = ds.getSpace()) {
                if (type._getClass() != H5T_INTEGER || space.getSimpleExtentNpoints() != 1) {
                    throw new Hdf5Exception(file.path() + ": dataset " + child(name) + " holds "
                            + describeType(type._getClass()) + " of shape " + Arrays.toString(shapeOf(space))
                            + "; expected one integer");
                }
                try (org.bytedeco.javacpp.LongPointer value = new org.bytedeco.javacpp.LongPointer(1)) {
                    ds.read(value, PredType.NATIVE_INT64());
                    return value.get();
                }
            }
        });
    }

    /** Writes a scalar int64 dataset. */
    public void writeLong(String name, long value) {
        file.call("write dataset " + child(name), () -> {
            try (DataSpace space = new DataSpace(H5S_SCALAR);
                 DataSet ds = group.createDataSet(name, PredType.STD_I64LE(), space);
                 org.bytedeco.javacpp.LongPointer data = new org.bytedeco.javacpp.LongPointer(1)) {
                data.put(value);
                ds.write(data, PredType.NATIVE_INT64());
            }
            return null;
        });
    }

    private void requireDataset(String name) {
        if (!hasDataset(name)) {
            throw new Hdf5Exception(file.path() + ": no dataset '" + name + "' in " + path);
        }
    }

    private int[] shapeOf(DataSpace space) {
        int rank = space.getSimpleExtentNdims();
        long[] dims = new long[rank];
        if (rank > 0) {
            space.getSimpleExtentDims(dims);
        }
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new Hdf5Exception(file.path() + ": a dataset in " + path + " has axis " + i + " of size " + dims[i]);
            }
            shape[i] = (int) dims[i];
        }
        Shapes.size(shape); // rejects more than 2^31 elements with a clear message
        return shape;
    }

    @Override
    public String toString() {
        return file.path() + ":" + path;
    }
}
