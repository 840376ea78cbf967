package dev.convey.keras;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' legacy HDF5 weight files: {@code model.load_weights("x.h5")}, {@code load_weights(by_name=True)} and
 * {@code model.save_weights("x.h5")}.
 *
 * <p>The layout (Keras 2, written by {@code save_weights}; {@code model.save()} puts the same tree under a
 * {@code model_weights} group):
 * <pre>
 *   /                      attributes layer_names = [b"input_1", b"block1_conv1", ...] (every layer, in model order;
 *                                     split into layer_names0, layer_names1, ... when larger than 64 KB),
 *                                     backend, keras_version
 *   /block1_conv1          attribute weight_names = [b"block1_conv1/kernel:0", b"block1_conv1/bias:0"]
 *   /block1_conv1/block1_conv1/kernel:0   dataset (3, 3, 3, 64)     the weight name is a path: nested groups
 *   /block1_pool           attribute weight_names = [] (an empty float64 array: a weightless layer)
 * </pre>
 * Keras 1 files have flat names in the same place: {@code /block1_conv1/block1_conv1_W_1:0}. Since
 * {@code weight_names} lists the datasets' paths relative to the layer's group, both read the same way.
 * Kernels of TensorFlow-backend files have the layout Convey uses (HWIO, Dense (in, out)) in both versions;
 * Theano-backend files (flipped kernels) are rejected.
 *
 * <p>All checks happen before any weight is changed: a failed load leaves the model as it was.
 */
public final class KerasWeights {

    /** The Keras version written into new files: the last Keras 2 release that reads and writes this layout. */
    static final String KERAS_VERSION = "2.15.0";
    /** HDF5 keeps small attributes in an object header of at most 64 KB; Keras splits longer name lists. */
    private static final int ATTRIBUTE_LIMIT_BYTES = 64512;

    /** What a by-name load did: which model layers got weights, which were skipped, which the file lacks. */
    public record Report(List<String> loaded, List<String> skipped, List<String> notInFile) {
    }

    private KerasWeights() {
    }

    /**
     * Keras' {@code model.load_weights(file)}: the file's layers that have weights, in the file's order, are
     * matched one to one with the model's layers that have weights, in model order. Names do not matter (a
     * renamed model still loads); counts and shapes must agree exactly.
     */
    public static void load(Model model, Path file) {
        try (Hdf5File f = Hdf5File.open(file)) {
            loadByOrder(model.layers(), weightsRoot(f));
        }
    }

    /**
     * Keras' {@code load_weights(file, by_name=True, skip_mismatch=...)}: each model layer takes the weights of
     * the file's layer with the same name; model layers absent from the file keep their values and file layers
     * absent from the model are ignored (both listed in the report). A layer whose weight count or shapes
     * differ is an error, or, with {@code skipMismatch}, left unchanged and reported (transfer learning with a
     * new head of another size).
     */
    public static Report loadByName(Model model, Path file, boolean skipMismatch) {
        try (Hdf5File f = Hdf5File.open(file)) {
            return loadByName(model.layers(), weightsRoot(f), skipMismatch);
        }
    }

    /** Keras' {@code model.save_weights(file)} in the legacy HDF5 layout (Keras 2 names, nested). */
    public static void save(Model model, Path file) {
        Hdf5File.writeAtomically(file, root -> saveTo(model.layers(), root));
    }

    // ---------------------------------------------------------------- the file side

    /** One layer as the file stores it: its group and the paths (relative to the group) of its weights. */
    private record SavedLayer(String name, Hdf5Group group, List<String> weightNames) {
    }

    /**
     * tf.keras 2.12+ and Keras 3's legacy writer add this group beside the layers' groups (not in layer_names)
     * for variables created on the model itself, outside any layer: empty for Functional and Sequential models.
     */
    private static final String TOP_LEVEL = "top_level_model_weights";

    /** Files written by {@code model.save()} keep the weights under {@code model_weights}. */
    static Hdf5Group weightsRoot(Hdf5File f) {
        return f.root().hasGroup("model_weights") ? f.root().group("model_weights") : f.root();
    }

    /** The file's layers in layer_names order (all of them, also the weightless ones). */
    private static List<SavedLayer> savedLayers(Hdf5Group root) {
        if (!root.hasAttribute("layer_names") && !root.hasAttribute("layer_names0")) {
            throw new Hdf5Exception(root.file().path() + ": not a Keras weight file: no attribute 'layer_names' in "
                    + root.path());
        }
        if (root.hasAttribute("backend") && root.readString("backend").equals("theano")) {
            throw new Hdf5Exception(root.file().path() + ": the weights were saved with Keras' Theano backend, whose"
                    + " convolution kernels are flipped; only TensorFlow-backend files are supported");
        }
        if (root.hasGroup(TOP_LEVEL) && !readChunkedStrings(root.group(TOP_LEVEL), "weight_names").isEmpty()) {
            throw new Hdf5Exception(root.file().path() + ": " + root.group(TOP_LEVEL).path() + " holds weights of the"
                    + " model itself " + readChunkedStrings(root.group(TOP_LEVEL), "weight_names") + " (a subclassed"
                    + " model's own variables); Convey models keep every weight in a layer");
        }
        List<SavedLayer> layers = new ArrayList<>();
        for (String name : readChunkedStrings(root, "layer_names")) {
            Hdf5Group g = root.group(name);
            layers.add(new SavedLayer(name, g, readChunkedStrings(g, "weight_names")));
        }
        return layers;
    }

    /** Keras' load_attributes_from_hdf5_group: {@code name}, or {@code name0}, {@code name1}, ... concatenated. */
    static List<String> readChunkedStrings(Hdf5Group group, String name) {
        if (group.hasAttribute(name)) {
            return group.readStrings(name);
        }
        List<String> all = new ArrayList<>();
        for (int chunk = 0; group.hasAttribute(name + chunk); chunk++) {
            all.addAll(group.readStrings(name + chunk));
        }
        if (all.isEmpty() && !group.hasAttribute(name + "0")) {
            throw new Hdf5Exception(group.file().path() + ": no attribute '" + name + "' in " + group.path());
        }
        return all;
    }

    /** Keras' save_attributes_to_hdf5_group: one attribute, or equal chunks if it would exceed 64 KB. */
    static void writeChunkedStrings(Hdf5Group group, String name, List<String> values) {
        int longest = values.stream().mapToInt(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).max().orElse(0);
        long bytes = (long) longest * values.size();
        int chunks = (int) Math.max(1, (bytes + ATTRIBUTE_LIMIT_BYTES - 1) / ATTRIBUTE_LIMIT_BYTES);
        if (chunks == 1) {
            group.writeStrings(name, values);
            return;
        }
        // np.array_split: the first (n % chunks) chunks get one extra element.
        int start = 0;
        for (int c = 0; c < chunks; c++) {
            int size = values.size() / chunks + (c < values.size() % chunks ? 1 : 0);
            group.writeStrings(name + c, values.subList(start, start + size));
            start += size;
        }
    }

    // ---------------------------------------------------------------- loading

    /** One weight to overwrite with one value; collected first, applied only when every check passed. */
    private record Assignment(Parameter weight, Tensor value) {
    }

    static void loadByOrder(List<Layer> modelLayers, Hdf5Group root) {
        List<Layer> withWeights = modelLayers.stream().filter(l -> !l.weights().isEmpty()).toList();
        List<SavedLayer> saved = savedLayers(root).stream().filter(s -> !s.weightNames().isEmpty()).toList();
        if (saved.size() != withWeights.size()) {
            throw new IllegalArgumentException("You are trying to load a weight file containing " + saved.size()
                    + " layers with weights into a model with " + withWeights.size() + " layers with weights: "
                    + root.file().path() + " has " + names(saved.stream().map(SavedLayer::name).toList())
                    + ", the model has " + names(withWeights.stream().map(Layer::name).toList()));
        }
        List<Assignment> assignments = new ArrayList<>();
        for (int k = 0; k < saved.size(); k++) {
            assignments.addAll(match(withWeights.get(k), saved.get(k), k, false));
        }
        assign(assignments);
    }

    static Report loadByName(List<Layer> modelLayers, Hdf5Group root, boolean skipMismatch) {
        Map<String, SavedLayer> saved = new LinkedHashMap<>();
        for (SavedLayer s : savedLayers(root)) {
            saved.put(s.name(), s);
        }
        List<String> loaded = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> notInFile = new ArrayList<>();
        List<Assignment> assignments = new ArrayList<>();
        for (int k = 0; k < modelLayers.size(); k++) {
            Layer layer = modelLayers.get(k);
            SavedLayer s = saved.get(layer.name());
            if (layer.weights().isEmpty()) {
                continue;
            }
            if (s == null) {
                notInFile.add(layer.name());
                continue;
            }
            List<Assignment> forLayer = match(layer, s, k, skipMismatch);
            if (forLayer == null) {
                skipped.add(layer.name());
            } else {
                assignments.addAll(forLayer);
                loaded.add(layer.name());
            }
        }
        assign(assignments);
        return new Report(loaded, skipped, notInFile);
    }

    /**
     * Pairs a model layer's weights with a saved layer's values, checking count and shapes. Values are paired by
     * full name when the file's names are exactly the model's (they may be listed in another order: Keras lists
     * a nested model's trainable weights before its non-trainable ones), else by position, as Keras does.
     * Returns null for a mismatch when {@code skipMismatch}, else throws.
     */
    private static List<Assignment> match(Layer layer, SavedLayer saved, int index, boolean skipMismatch) {
        List<Parameter> weights = kerasOrder(layer);
        String where = "Layer #" + index + " '" + layer.name() + "' (" + layer.className() + ") of the model, matched with"
                + " layer '" + saved.name() + "' of " + saved.group().file().path();
        if (weights.size() != saved.weightNames().size()) {
            return mismatch(skipMismatch, where + ": the model layer has " + weights.size() + " weights "
                    + names(weights.stream().map(Parameter::fullName).toList()) + " but the file has "
                    + saved.weightNames().size() + " " + names(saved.weightNames()));
        }
        Map<String, Parameter> byName = new HashMap<>();
        for (Parameter p : weights) {
            byName.put(p.fullName(), p);
        }
        boolean sameNames = new HashSet<>(saved.weightNames()).equals(byName.keySet());
        List<Assignment> out = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            String datasetName = saved.weightNames().get(i);
            Parameter weight = sameNames ? byName.get(datasetName) : weights.get(i);
            if (!saved.group().hasDataset(datasetName)) {
                throw new Hdf5Exception(saved.group().file().path() + ": layer '" + saved.name() + "' lists weight '"
                        + datasetName + "' in weight_names but there is no dataset '" + datasetName + "' in "
                        + saved.group().path());
            }
            int[] fileShape = saved.group().datasetShape(datasetName);
            if (!weight.value().hasShape(fileShape)) {
                return mismatch(skipMismatch, where + ": weight '" + weight.fullName() + "' has shape "
                        + Shapes.toString(weight.value().shape()) + " in the model but " + Shapes.toString(fileShape)
                        + " in the file (dataset " + saved.group().path() + "/" + datasetName + ")");
            }
            out.add(new Assignment(weight, saved.group().readDataset(datasetName)));
        }
        return out;
    }

    private static List<Assignment> mismatch(boolean skip, String message) {
        if (skip) {
            return null;
        }
        throw new IllegalArgumentException(message);
    }

    private static void assign(List<Assignment> assignments) {
        for (Assignment a : assignments) {
            a.weight().assign(a.value());
        }
    }

    /** Keras' {@code layer.weights}: trainable weights first, then non-trainable ones. */
    static List<Parameter> kerasOrder(Layer layer) {
        List<Parameter> out = new ArrayList<>(layer.trainableWeights());
        out.addAll(layer.nonTrainableWeights());
        return out;
    }

    private static String names(List<String> names) {
        return names.size() <= 12 ? names.toString()
                : names.subList(0, 12).toString().replace("]", ", ... (" + names.size() + " in all)]");
    }

    // ---------------------------------------------------------------- saving

    /**
     * Keras' save_weights_to_hdf5_group: names, versions, one group per layer (also weightless ones), and the
     * empty {@code top_level_model_weights} group of tf.keras 2.12+.
     */
    static void saveTo(List<Layer> layers, Hdf5Group root) {
        writeChunkedStrings(root, "layer_names", layers.stream().map(Layer::name).toList());
        root.writeString("backend", "tensorflow");
        root.writeString("keras_version", KERAS_VERSION);
        for (Layer layer : layers) {
            Hdf5Group g = root.createGroup(layer.name());
            List<Parameter> weights = kerasOrder(layer);
            writeChunkedStrings(g, "weight_names", weights.stream().map(Parameter::fullName).toList());
            for (Parameter p : weights) {
                g.writeDataset(p.fullName(), p.value());
            }
        }
        writeChunkedStrings(root.createGroup(TOP_LEVEL), "weight_names", List.of());
    }

    // ---------------------------------------------------------------- inspecting

    /** One weight as stored: its name in weight_names (a path relative to its layer's group) and its shape. */
    public record SavedWeight(String name, int[] shape) {
        @Override
        public String toString() {
            return name + Shapes.toString(shape);
        }
    }

    /** One entry of layer_names with its weights (none for a weightless layer). */
    public record SavedLayerInfo(String name, List<SavedWeight> weights) {
    }

    /** What {@code h5dump} shows of a weight file: every layer in layer_names order, with its weights' shapes. */
    public static List<SavedLayerInfo> list(Path file) {
        try (Hdf5File f = Hdf5File.open(file)) {
            List<SavedLayerInfo> out = new ArrayList<>();
            for (SavedLayer s : savedLayers(weightsRoot(f))) {
                List<SavedWeight> weights = new ArrayList<>();
                for (String name : s.weightNames()) {
                    weights.add(new SavedWeight(name, s.group().datasetShape(name)));
                }
                out.add(new SavedLayerInfo(s.name(), weights));
            }
            return out;
        }
    }
}
