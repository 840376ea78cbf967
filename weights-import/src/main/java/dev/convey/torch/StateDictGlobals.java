package dev.convey.torch;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.convey.torch.Unpickler.Tuple;

/**
 * The globals a PyTorch {@code state_dict} pickle may name, as {@code torch.load(weights_only=True)} allows
 * them, interpreted in Java (nothing is ever imported or executed):
 * <ul>
 *   <li>{@code collections.OrderedDict}: {@code OrderedDict()} or {@code OrderedDict([(k, v), ...])}, a map;
 *   <li>{@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)} and the
 *       older {@code _rebuild_tensor(storage, offset, size, stride)}: a {@link TorchTensor};
 *   <li>{@code torch._utils._rebuild_parameter(data, requires_grad, hooks)}: an nn.Parameter, i.e. its tensor;
 *   <li>{@code torch.FloatStorage}, {@code torch.HalfStorage}, ... ({@link DType}): only inside a persistent id
 *       {@code ('storage', torch.FloatStorage, key, location, numel[, view])}, which the container format
 *       resolves to a {@link Storage};
 *   <li>BUILD only sets an OrderedDict's {@code _metadata} (module versions, which weights do not depend on).
 * </ul>
 * Any other global ({@code os.system}, {@code builtins.eval}, {@code posix.system}, a model class) is refused
 * by name when the GLOBAL opcode is read, before anything could use it.
 */
final class StateDictGlobals implements Unpickler.Globals {

    /** The callable globals, as {@code module.name}. */
    static final Set<String> ALLOWED = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter");

    /** A global the pickle named and the policy accepted. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** Finds the storage a persistent id names, in the container format (zip entry, legacy record). */
    interface StorageResolver {
        Storage resolve(DType dtype, String key, long numel) throws IOException;
    }

    private final StorageResolver storages;

    StateDictGlobals(StorageResolver storages) {
        this.storages = storages;
    }

    @Override
    public Object global(String module, String name) {
        String full = module + "." + name;
        if (ALLOWED.contains(full) || module.equals("torch") && DType.ofStorageClass(name) != null) {
            return new Global(module, name);
        }
        String python3 = module.equals("__builtin__") ? " (builtins." + name + " in Python 3)" : "";
        throw new IllegalArgumentException("the pickle names the global '" + full + "'" + python3 + ", which a state_dict never"
                + " contains (allowed: " + String.join(", ", new TreeSet<>(ALLOWED)) + ", torch.*Storage);"
                + " refused, as torch.load(weights_only=True) refuses it");
    }

    @Override
    public Object call(Object callable, Tuple args) {
        if (!(callable instanceof Global g) || !ALLOWED.contains(g.toString())) {
            throw new IllegalArgumentException("REDUCE calls a " + Unpickler.typeName(callable) + "; only "
                    + new TreeSet<>(ALLOWED) + " may be called");
        }
        List<Object> a = args.items();
        return switch (g.name()) {
            case "OrderedDict" -> orderedDict(a);
            case "_rebuild_parameter" -> rebuildParameter(a);
            default -> rebuildTensor(g, a);
        };
    }

    private static Map<Object, Object> orderedDict(List<Object> args) {
        Map<Object, Object> d = new LinkedHashMap<>();
        if (args.isEmpty()) {
            return d;
        }
        if (args.size() != 1 || !(args.get(0) instanceof List<?> pairs)) {
            throw new IllegalArgumentException("OrderedDict called with " + args.size()
                    + " arguments; expected () or a list of pairs");
        }
        for (Object pair : pairs) {
            if (!(pair instanceof Tuple p) || p.items().size() != 2 || !(p.items().get(0) instanceof String key)) {
                throw new IllegalArgumentException("OrderedDict item of type " + Unpickler.typeName(pair)
                        + ", not a (str, value) tuple");
            }
            d.put(key, p.items().get(1));
        }
        return d;
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private static TorchTensor rebuildTensor(Global g, List<Object> a) {
        boolean v2 = g.name().endsWith("v2");
        if (v2 ? a.size() < 6 || a.size() > 7 : a.size() != 4) {
            throw new IllegalArgumentException(g + " called with " + a.size() + " arguments; expected "
                    + (v2 ? "6" : "4"));
        }
        if (!(a.get(0) instanceof Storage storage)) {
            throw new IllegalArgumentException(g + ": the first argument is a " + Unpickler.typeName(a.get(0))
                    + ", not a storage");
        }
        long offset = integer(a.get(1), g + " storage_offset");
        int[] shape = ints(a.get(2), g + " size");
        long[] stride = longs(a.get(3), g + " stride");
        if (stride.length != shape.length) {
            throw new IllegalArgumentException(g + ": size has " + shape.length + " axes but stride has "
                    + stride.length);
        }
        for (long s : stride) {
            if (s < 0) {
                throw new IllegalArgumentException(g + ": negative stride " + s);
            }
        }
        boolean requiresGrad = false;
        if (v2) {
            requiresGrad = Boolean.TRUE.equals(a.get(4));
            hooksMustBeEmpty(a.get(5));
        }
        return new TorchTensor(storage, offset, shape, stride, requiresGrad);
    }

    private static TorchTensor rebuildParameter(List<Object> a) {
        if (a.size() != 3 || !(a.get(0) instanceof TorchTensor t)) {
            throw new IllegalArgumentException("_rebuild_parameter expects (tensor, requires_grad, hooks)");
        }
        hooksMustBeEmpty(a.get(2));
        return t;
    }

    private static void hooksMustBeEmpty(Object hooks) {
        if (hooks != null && !(hooks instanceof Map<?, ?> m && m.isEmpty())) {
            throw new IllegalArgumentException("a tensor with backward hooks (" + Unpickler.typeName(hooks)
                    + "); a state_dict has none");
        }
    }

    @Override
    public void build(Object target, Object state) {
        if (!(target instanceof LinkedHashMap<?, ?>) || !(state instanceof Map<?, ?> s)
                || !s.keySet().stream().allMatch("_metadata"::equals)) {
            throw new IllegalArgumentException("BUILD sets the state of a " + Unpickler.typeName(target)
                    + "; only an OrderedDict's _metadata is allowed");
        }
    }

    /** {@code ('storage', torch.FloatStorage, key, location, numel[, view_metadata])}. */
    @Override
    public Object persistentLoad(Object pid) throws IOException {
        if (!(pid instanceof Tuple t) || t.items().size() < 5 || !"storage".equals(t.items().get(0))) {
            throw new IllegalArgumentException("a persistent id that is not ('storage', type, key, location,"
                    + " numel): " + Unpickler.typeName(pid));
        }
        List<Object> a = t.items();
        if (!(a.get(1) instanceof Global g) || !g.module().equals("torch") || DType.ofStorageClass(g.name()) == null) {
            throw new IllegalArgumentException("a storage of type " + Unpickler.typeName(a.get(1))
                    + "; expected torch.FloatStorage, torch.HalfStorage, ...");
        }
        if (!(a.get(2) instanceof String key)) {
            throw new IllegalArgumentException("a storage key of type " + Unpickler.typeName(a.get(2)));
        }
        if (a.size() > 5 && a.get(5) != null) {
            throw new IllegalArgumentException("storage '" + key + "' is a view of another storage (PyTorch < 0.4"
                    + " checkpoints); not supported");
        }
        DType dtype = DType.ofStorageClass(g.name());
        long numel = integer(a.get(4), "storage '" + key + "' numel");
        if (numel < 0 || numel > Integer.MAX_VALUE / dtype.bytes()) {
            throw new IllegalArgumentException("storage '" + key + "' of " + numel + " elements of " + dtype
                    + " (at most 2 GB per storage)");
        }
        return storages.resolve(dtype, key, numel);
    }

    private static long integer(Object o, String what) {
        if (!(o instanceof Long v)) {
            throw new IllegalArgumentException(what + " is a " + Unpickler.typeName(o) + ", not an integer");
        }
        return v;
    }

    private static long[] longs(Object o, String what) {
        if (!(o instanceof Tuple t)) {
            throw new IllegalArgumentException(what + " is a " + Unpickler.typeName(o) + ", not a tuple");
        }
        if (t.items().size() > 16) {
            throw new IllegalArgumentException(what + " has " + t.items().size() + " axes (at most 16)");
        }
        long[] v = new long[t.items().size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = integer(t.items().get(i), what);
        }
        return v;
    }

    /** A shape: axes in [0, 2^31) and fewer than 2^31 elements in all. */
    private static int[] ints(Object o, String what) {
        long[] v = longs(o, what);
        int[] r = new int[v.length];
        long product = 1;
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " has an axis of " + v[i]);
            }
            r[i] = (int) v[i];
            product *= Math.max(r[i], 1);
            if (product > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " " + Arrays.toString(v) + " has more than 2^31 elements");
            }
        }
        return r;
    }
}
