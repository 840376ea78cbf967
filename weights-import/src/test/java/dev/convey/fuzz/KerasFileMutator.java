package dev.convey.fuzz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import dev.convey.keras.Hdf5File;
import dev.convey.keras.Hdf5Group;
import dev.convey.tensor.Tensor;

/**
 * Structural mutations of a Keras HDF5 file: the file is read into a tree (groups, string and float attributes,
 * float datasets), one thing in it is changed, and it is written back with Convey's HDF5 writer. The changes are
 * what a buggy exporter or a hand-edited file produces: a corrupted {@code model_config} (a value of the wrong
 * type, an absurd number, a missing key, an unknown class, broken JSON text), a weight of the wrong shape, a
 * missing dataset, odd {@code layer_names} / {@code weight_names}, an attribute of the wrong type.
 */
final class KerasFileMutator {

    /** A group as read: attributes (List of String, or double[]), subgroups and datasets by name. */
    record Node(Map<String, Object> attributes, Map<String, Node> groups, Map<String, Tensor> datasets) {
    }

    private static final List<String> SCALAR_STRINGS = List.of("model_config", "training_config", "backend", "keras_version");
    private static final String[] KINDS = {"json-value", "json-value", "json-key", "json-class", "json-text",
            "shape", "missing", "layer-names", "weight-names", "attr-type"};

    private final Random random;

    KerasFileMutator(Random random) {
        this.random = random;
    }

    static Node read(Hdf5Group g) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (String a : g.attributeNames()) {
            try {
                attributes.put(a, g.readStrings(a));
            } catch (RuntimeException notStrings) {
                attributes.put(a, g.readDoubles(a));
            }
        }
        Map<String, Node> groups = new LinkedHashMap<>();
        Map<String, Tensor> datasets = new LinkedHashMap<>();
        for (String child : g.children()) {
            if (g.hasGroup(child)) {
                groups.put(child, read(g.group(child)));
            } else {
                datasets.put(child, g.readDataset(child));
            }
        }
        return new Node(attributes, groups, datasets);
    }

    @SuppressWarnings("unchecked")
    static void write(Hdf5Group g, Node node) {
        node.attributes().forEach((name, value) -> {
            if (value instanceof double[] d) {
                g.writeDoubles(name, d);
            } else if (SCALAR_STRINGS.contains(name) && ((List<String>) value).size() == 1) {
                g.writeString(name, ((List<String>) value).get(0));
            } else {
                g.writeStrings(name, (List<String>) value);
            }
        });
        node.datasets().forEach(g::writeDataset);
        node.groups().forEach((name, child) -> write(g.createGroup(name), child));
    }

    /** Reads {@code source}, applies one mutation, writes {@code target}; returns the mutation's name. */
    String mutate(Path source, Path target) {
        Node root;
        try (Hdf5File in = Hdf5File.open(source)) {
            root = read(in.root());
        }
        String kind = KINDS[random.nextInt(KINDS.length)];
        if (kind.startsWith("json") && !root.attributes().containsKey("model_config")) {
            kind = "layer-names";
        }
        apply(kind, root);
        Hdf5File.writeAtomically(target, out -> write(out, root));
        return kind;
    }

    @SuppressWarnings("unchecked")
    private void apply(String kind, Node root) {
        List<Node> all = new ArrayList<>();
        collect(root, all);
        switch (kind) {
            case "json-value", "json-key", "json-class" -> {
                String json = ((List<String>) root.attributes().get("model_config")).get(0);
                JsonElement tree = JsonParser.parseString(json);
                mutateJson(kind, tree);
                root.attributes().put("model_config", List.of(tree.toString()));
            }
            case "json-text" -> {
                String json = ((List<String>) root.attributes().get("model_config")).get(0);
                root.attributes().put("model_config", List.of(mutateText(json)));
            }
            case "shape" -> {
                Node n = pickWith(all, true);
                if (n != null) {
                    String name = pick(new ArrayList<>(n.datasets().keySet()));
                    n.datasets().put(name, Tensor.zeros(otherShape(n.datasets().get(name).shape())));
                }
            }
            case "missing" -> {
                Node n = pickWith(all, true);
                if (n != null) {
                    n.datasets().remove(pick(new ArrayList<>(n.datasets().keySet())));
                }
            }
            case "layer-names", "weight-names" -> {
                String attribute = kind.equals("layer-names") ? "layer_names" : "weight_names";
                List<Node> holders = all.stream().filter(n -> n.attributes().get(attribute) instanceof List).toList();
                if (!holders.isEmpty()) {
                    Node n = pick(holders);
                    n.attributes().put(attribute, oddNames((List<String>) n.attributes().get(attribute)));
                }
            }
            default -> {
                Node n = pick(all);
                if (!n.attributes().isEmpty()) {
                    String name = pick(new ArrayList<>(n.attributes().keySet()));
                    n.attributes().put(name, n.attributes().get(name) instanceof double[]
                            ? List.of("not", "floats") : new double[] {1.5, -2, Double.NaN});
                }
            }
        }
    }

    private void collect(Node n, List<Node> out) {
        out.add(n);
        n.groups().values().forEach(c -> collect(c, out));
    }

    private Node pickWith(List<Node> all, boolean datasets) {
        List<Node> with = all.stream().filter(n -> !n.datasets().isEmpty() == datasets).toList();
        return with.isEmpty() ? null : pick(with);
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private int[] otherShape(int[] shape) {
        int[] out;
        switch (random.nextInt(3)) {
            case 0 -> out = java.util.Arrays.copyOf(shape, shape.length + 1); // one more axis (of 0 -> set below)
            case 1 -> out = shape.length > 0 ? java.util.Arrays.copyOf(shape, shape.length - 1) : new int[] {2};
            default -> out = shape.clone();
        }
        if (out.length > 0) {
            int axis = random.nextInt(out.length);
            out[axis] = out[axis] <= 1 ? 2 + random.nextInt(3) : out[axis] + (random.nextBoolean() ? 1 : -1);
        }
        return out;
    }

    private List<String> oddNames(List<String> names) {
        List<String> out = new ArrayList<>(names);
        String[] odd = {"", "/", "..", "no_such_layer", "a/b/c", "x".repeat(300), "dense\u0000", "model_weights"};
        switch (random.nextInt(5)) {
            case 0 -> {
                if (!out.isEmpty()) {
                    out.remove(random.nextInt(out.size()));
                }
            }
            case 1 -> out.add(random.nextInt(out.size() + 1), odd[random.nextInt(odd.length)]);
            case 2 -> {
                if (!out.isEmpty()) {
                    out.add(out.get(random.nextInt(out.size()))); // a duplicate
                }
            }
            case 3 -> java.util.Collections.shuffle(out, random);
            default -> {
                if (!out.isEmpty()) {
                    out.set(random.nextInt(out.size()), odd[random.nextInt(odd.length)]);
                }
            }
        }
        return out.isEmpty() ? List.of("") : out;
    }

    // ---------------------------------------------------------------- model_config JSON

    private void mutateJson(String kind, JsonElement tree) {
        List<JsonObject> objects = new ArrayList<>();
        collectObjects(tree, objects);
        JsonObject o = pick(objects);
        if (kind.equals("json-class")) {
            JsonObject target = objects.stream().filter(x -> x.has("class_name")).findAny().orElse(o);
            String[] classes = {"Lambda", "NoSuchLayer", "", "Conv3D", "Functional", "Sequential", "TFOpLambda"};
            target.addProperty("class_name", classes[random.nextInt(classes.length)]);
            return;
        }
        if (o.keySet().isEmpty()) {
            o.add("unexpected", badValue());
            return;
        }
        String key = pick(new ArrayList<>(o.keySet()));
        if (kind.equals("json-key")) {
            o.remove(key);
        } else {
            o.add(key, badValue());
        }
    }

    private void collectObjects(JsonElement e, List<JsonObject> out) {
        if (e.isJsonObject()) {
            out.add(e.getAsJsonObject());
            e.getAsJsonObject().entrySet().forEach(x -> collectObjects(x.getValue(), out));
        } else if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> collectObjects(x, out));
        }
    }

    private JsonElement badValue() {
        JsonArray pair = new JsonArray();
        pair.add(0);
        pair.add(-3);
        JsonArray nested = new JsonArray();
        nested.add(new JsonArray());
        JsonElement[] values = {JsonNull.INSTANCE, new JsonPrimitive("text"), new JsonPrimitive(-1),
                new JsonPrimitive(0), new JsonPrimitive(2147483648L), new JsonPrimitive(1e300), new JsonPrimitive(true),
                new JsonPrimitive(2.5), new JsonArray(), new JsonObject(), pair, nested, new JsonPrimitive(-2147483648),
                new JsonPrimitive("NaN")};
        return values[random.nextInt(values.length)];
    }

    private String mutateText(String json) {
        StringBuilder s = new StringBuilder(json);
        switch (random.nextInt(4)) {
            case 0 -> s.setLength(random.nextInt(Math.max(1, s.length())));
            case 1 -> {
                for (int i = 0; i < 1 + random.nextInt(5) && s.length() > 0; i++) {
                    s.deleteCharAt(random.nextInt(s.length()));
                }
            }
            case 2 -> s.insert(random.nextInt(s.length() + 1), "{[\",:NaN".charAt(random.nextInt(8)));
            default -> s.replace(0, s.length(), random.nextBoolean() ? "" : "[1, 2, 3]");
        }
        return s.toString();
    }
}
