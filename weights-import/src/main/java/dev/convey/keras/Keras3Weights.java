package dev.convey.keras;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;
import dev.convey.training.Optimizer;

/**
 * The weights layout of Keras 3 ({@code model.weights.h5} inside a {@code .keras} zip, and {@code .weights.h5}
 * of {@code save_weights}), as keras/src/saving/saving_lib.py walks a model:
 * <pre>
 *   vars                                    the model's own variables (none), attribute name = model name
 *   layers/&lt;snake_case class&gt;[_N]/vars/0, 1, ...   each layer's variables, trainable first, attribute name
 *   layers/functional/layers/conv2d/vars/0 ...     a nested Functional (or sequential) model, recursively
 *   optimizer/vars/0 (iteration, int64), 1 (learning_rate), then the slots in Keras' creation order
 * </pre>
 * The path uses the class name, never the layer's name: a container numbers its layers of one class
 * {@code conv2d}, {@code conv2d_1}, ... in walk order ({@code model.layers}: the InputLayer is one of a
 * Functional model's layers, not of a Sequential's). Files of Keras 2.13-2.15 say
 * {@code _layer_checkpoint_dependencies} instead of {@code layers}; one written on Windows has the path joined
 * with backslashes into one link name; both are found.
 */
final class Keras3Weights {

    private Keras3Weights() {
    }

    /** Keras' {@code naming.to_snake_case}: {@code Conv2D} -> conv2d, {@code MaxPooling2D} -> max_pooling2d, PReLU -> p_re_lu. */
    static String snakeCase(String className) {
        String s = className.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** The class name Keras 3 would give: a Convey Model is {@code Functional} or {@code Sequential}. */
    static String kerasClass(Layer layer) {
        return layer instanceof dev.convey.models.Sequential ? "Sequential"
                : layer instanceof Model ? "Functional" : layer.className();
    }

    // ---------------------------------------------------------------- writing

    static void save(Model model, Hdf5Group root) {
        saveModel(model, root, "");
    }

    private static void saveModel(Model model, Hdf5Group root, String prefix) {
        root.createGroup(prefix + "vars").writeString("name", model.name());
        Map<String, Integer> used = new HashMap<>();
        for (Layer layer : model.layers()) {
            String path = prefix + "layers/" + containerName(kerasClass(layer), used);
            if (layer instanceof Model nested) {
                saveModel(nested, root, path + "/");
                continue;
            }
            Hdf5Group vars = root.createGroup(path + "/vars");
            vars.writeString("name", layer.name());
            List<Parameter> ws = KerasWeights.kerasOrder(layer);
            for (int i = 0; i < ws.size(); i++) {
                vars.writeDataset(Integer.toString(i), ws.get(i).value());
            }
        }
    }

    /** {@code conv2d}, then {@code conv2d_1}, ... per container, as saving_lib's used_names. */
    private static String containerName(String className, Map<String, Integer> used) {
        String name = snakeCase(className);
        Integer n = used.get(name);
        used.put(name, n == null ? 0 : n + 1);
        return n == null ? name : name + "_" + (n + 1);
    }

    /**
     * optimizer/vars: {@code iteration} (int64), {@code learning_rate}, then the slots in the order the Keras
     * optimizer's {@code build()} creates them (keras/src/optimizers/*.py): Adam interleaves them per weight
     * (m0, v0, m1, v1, ...); RMSprop creates all velocities, then all momentums (momentum > 0), then all average
     * gradients (centered); SGD one momentum per weight (momentum > 0).
     */
    static void saveOptimizer(Optimizer optimizer, List<Parameter> trainable, Hdf5Group root) {
        Hdf5Group vars = root.createGroup("optimizer/vars");
        vars.writeString("name", optimizer.name().toLowerCase(Locale.ROOT));
        vars.writeLong("0", optimizer.iterations());
        vars.writeDataset("1", Tensor.of(new float[] {optimizer.learningRate()}));
        int[][] order = slotOrder(optimizer, trainable.size());
        for (int i = 0; i < order.length; i++) {
            Parameter p = trainable.get(order[i][0]);
            Tensor[] slots = optimizer.slots(p);
            int s = order[i][1];
            vars.writeDataset(Integer.toString(FIRST_SLOT + i), s < slots.length ? slots[s] : Tensor.zeros(p.value().shape()));
        }
    }

    /** optimizer/vars/0 and 1 are the iteration count and the learning rate; the slots follow. */
    private static final int FIRST_SLOT = 2;

    /**
     * {@code {weight index, slot index}} for each saved slot variable, in Keras' creation order (see
     * {@link #saveOptimizer}). Only Adam interleaves; with one slot per weight both orders agree.
     */
    static int[][] slotOrder(Optimizer optimizer, int weights) {
        int perWeight = optimizer.slotsPerWeight();
        boolean interleaved = optimizer.name().equalsIgnoreCase("Adam");
        int[][] order = new int[weights * perWeight][];
        int i = 0;
        if (interleaved) {
            for (int w = 0; w < weights; w++) {
                for (int s = 0; s < perWeight; s++) {
                    order[i++] = new int[] {w, s};
                }
            }
        } else {
            for (int s = 0; s < perWeight; s++) {
                for (int w = 0; w < weights; w++) {
                    order[i++] = new int[] {w, s};
                }
            }
        }
        return order;
    }

    // ---------------------------------------------------------------- reading

    static void load(Model model, Hdf5Group root) {
        loadModel(model, root, "");
    }

    private static void loadModel(Model model, Hdf5Group root, String prefix) {
        Map<String, Integer> used = new HashMap<>();
        for (Layer layer : model.layers()) {
            String path = prefix + "layers/" + containerName(kerasClass(layer), used);
            if (layer instanceof Model nested) {
                loadModel(nested, root, path + "/");
                continue;
            }
            List<Parameter> ws = KerasWeights.kerasOrder(layer);
            Hdf5Group vars = findVars(root, path);
            int saved = vars == null ? 0 : countVars(vars);
            if (saved != ws.size()) {
                throw new IllegalArgumentException(layer.describe() + " has " + ws.size()
                        + " weights but the file holds " + saved + " at " + path + "/vars");
            }
            for (int i = 0; i < ws.size(); i++) {
                String key = Integer.toString(i);
                int[] shape = vars.datasetShape(key);
                if (!java.util.Arrays.equals(shape, ws.get(i).value().shape())) {
                    throw new IllegalArgumentException(path + "/vars/" + i + " has shape "
                            + Shapes.toString(shape) + " but weight '" + ws.get(i).fullName() + "' has shape "
                            + Shapes.toString(ws.get(i).value().shape()));
                }
            }
            for (int i = 0; i < ws.size(); i++) {
                ws.get(i).assign(vars.readDataset(Integer.toString(i)));
            }
        }
    }

    /** The vars group of a path, also under the Keras 2.13 name or as one backslash-joined link; null if absent. */
    private static Hdf5Group findVars(Hdf5Group root, String path) {
        for (String p : new String[] {path, path.replace("layers/", "_layer_checkpoint_dependencies/")}) {
            if (root.hasGroup(p + "/vars")) {
                return root.group(p + "/vars");
            }
            String windows = p.replace('/', '\\');
            if (root.children().contains(windows) && root.group(windows).hasGroup("vars")) {
                return root.group(windows).group("vars");
            }
        }
        return null;
    }

    private static int countVars(Hdf5Group vars) {
        int n = 0;
        while (vars.hasDataset(Integer.toString(n))) {
            n++;
        }
        if (n != vars.children().size()) {
            throw new IllegalArgumentException(vars.path() + " holds " + vars.children() + ", expected datasets 0 to " + (n - 1));
        }
        return n;
    }

    /**
     * Restores optimizer/vars into {@code optimizer} (compiled on {@code trainable}). Keras skips, with a warning,
     * an optimizer state whose variable count does not match; so does this, returning the reason (null when
     * restored).
     */
    static String loadOptimizer(Optimizer optimizer, List<Parameter> trainable, Hdf5Group root) {
        if (!root.hasGroup("optimizer/vars")) {
            return null;
        }
        Hdf5Group vars = root.group("optimizer/vars");
        int count = countVars(vars);
        int expected = FIRST_SLOT + trainable.size() * optimizer.slotsPerWeight();
        if (count != expected) {
            return "optimizer state skipped: the file holds " + count + " optimizer variables, " + optimizer.name()
                    + " over " + trainable.size() + " trainable weights has " + expected;
        }
        long iterations = vars.readLong("0");
        Map<Parameter, Tensor[]> slots = new IdentityHashMap<>();
        for (Parameter p : trainable) {
            slots.put(p, new Tensor[optimizer.slotsPerWeight()]);
        }
        int[][] order = slotOrder(optimizer, trainable.size());
        for (int i = 0; i < order.length; i++) {
            Parameter p = trainable.get(order[i][0]);
            int index = FIRST_SLOT + i;
            Tensor t = vars.readDataset(Integer.toString(index));
            if (!t.hasShape(p.value().shape())) {
                return "optimizer state skipped: optimizer/vars/" + index + " has shape " + Shapes.toString(t.shape())
                        + ", weight " + p.fullName() + " has " + Shapes.toString(p.value().shape());
            }
            slots.get(p)[order[i][1]] = t;
        }
        optimizer.restoreState(iterations, slots);
        Tensor lr = vars.readDataset("1");
        if (lr.size() == 1 && lr.data().get(0) > 0 && Float.isFinite(lr.data().get(0))) {
            optimizer.setLearningRate(lr.data().get(0));
        }
        return null;
    }
}
