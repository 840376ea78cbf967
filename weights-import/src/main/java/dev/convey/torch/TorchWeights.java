package dev.convey.torch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Tensor;

/**
 * Moves weights between a {@link TorchvisionModel} and a PyTorch {@code state_dict}, by torchvision's names.
 * Each Convey weight is one state_dict key {@code LAYER.NAME} in PyTorch's layout:
 * <pre>
 *   Convey (Keras) weight         PyTorch key        layouts
 *   Conv2D kernel (kh,kw,I,O)     .weight            (O, I, kh, kw)      channels-first kernels
 *   depthwise_kernel (kh,kw,C,M)  .weight            (C*M, 1, kh, kw)    a grouped conv with groups = C
 *   Dense kernel (in, out)        .weight            (out, in)           Linear stores W, y = x W^T + b
 *       after a flatten of (h, w, c): PyTorch flattens NCHW, so its column (c*H + h)*W + w is Convey's row (h*W + w)*C + c
 *   bias                          .bias
 *   BN gamma, beta                .weight, .bias
 *   BN moving_mean, _variance     .running_mean, .running_var    plus .num_batches_tracked (int64, not used in eval)
 * </pre>
 * As {@code load_state_dict}: with {@code strict}, a missing or unexpected key is an error listing them all
 * (except a missing {@code num_batches_tracked}, which PyTorch's BatchNorm supplies for older checkpoints);
 * without, the keys both sides have are loaded and the others returned ({@link IncompatibleKeys}, as PyTorch
 * returns them). A shape mismatch is always an error.
 */
public final class TorchWeights {

    private enum Layout { CONV, DEPTHWISE, LINEAR, VECTOR, COUNTER }

    /** One state_dict key and the Convey weight it fills (null for num_batches_tracked). */
    private record Binding(String key, Parameter parameter, Layout layout, int[] flattened) {

        /** The PyTorch shape of this weight. */
        int[] torchShape() {
            if (parameter == null) {
                return new int[0];
            }
            int[] s = parameter.value().shape();
            return switch (layout) {
                case CONV -> new int[] {s[3], s[2], s[0], s[1]};
                case DEPTHWISE -> new int[] {s[2] * s[3], 1, s[0], s[1]};
                case LINEAR -> new int[] {s[1], s[0]};
                default -> s;
            };
        }

        /** The PyTorch (C-order) index of Convey's element i: one permutation serves both directions. */
        int torchIndex(int i) {
            int[] s = parameter.value().shape();
            switch (layout) {
                case CONV -> {                                   // (y, x, in, out) -> (out, in, y, x)
                    int o = i % s[3], in = i / s[3] % s[2], x = i / (s[3] * s[2]) % s[1], y = i / (s[3] * s[2] * s[1]);
                    return ((o * s[2] + in) * s[0] + y) * s[1] + x;
                }
                case DEPTHWISE -> {                              // (y, x, c, m) -> (c*M + m, 0, y, x)
                    int m = i % s[3], c = i / s[3] % s[2], x = i / (s[3] * s[2]) % s[1], y = i / (s[3] * s[2] * s[1]);
                    return ((c * s[3] + m) * s[0] + y) * s[1] + x;
                }
                case LINEAR -> {                                 // (row, out) -> (out, column)
                    int o = i % s[1], row = i / s[1];
                    int column = row;
                    if (flattened != null) {                     // row = (h*W + w)*C + c -> column = (c*H + h)*W + w
                        int h = flattened[0], w = flattened[1], c = flattened[2];
                        int ch = row % c, px = row / c;
                        column = (ch * h + px / w) * w + px % w;
                    }
                    return o * s[0] + column;
                }
                default -> {
                    return i;
                }
            }
        }
    }

    /** PyTorch's {@code _IncompatibleKeys}: what a non-strict load left out. */
    public record IncompatibleKeys(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    private TorchWeights() {
    }

    private static List<Binding> bindings(TorchvisionModel tv) {
        List<Binding> bindings = new ArrayList<>();
        long weighted = tv.layers().stream().filter(l -> !l.weights().isEmpty()).count();
        if (weighted != tv.moduleOrder().size()) {
            throw new IllegalStateException(tv.name() + " has " + weighted + " layers with weights but a module order of "
                    + tv.moduleOrder().size());
        }
        for (String name : tv.moduleOrder()) {
            Layer layer = tv.layer(name);
            boolean batchNorm = false;
            for (Parameter p : layer.weights()) {
                int rank = p.value().rank();
                String torchName;
                Layout layout;
                switch (p.name()) {
                    case "kernel" -> {
                        torchName = "weight";
                        layout = rank == 4 ? Layout.CONV : Layout.LINEAR;
                    }
                    case "depthwise_kernel" -> {
                        torchName = "weight";
                        layout = Layout.DEPTHWISE;
                    }
                    case "bias", "beta" -> {
                        torchName = "bias";
                        layout = Layout.VECTOR;
                    }
                    case "gamma" -> {
                        torchName = "weight";
                        layout = Layout.VECTOR;
                    }
                    case "moving_mean" -> {
                        torchName = "running_mean";
                        layout = Layout.VECTOR;
                        batchNorm = true;
                    }
                    case "moving_variance" -> {
                        torchName = "running_var";
                        layout = Layout.VECTOR;
                    }
                    default -> throw new IllegalStateException("weight " + p.fullName() + " has no PyTorch equivalent");
                }
                bindings.add(new Binding(layer.name() + "." + torchName, p, layout,
                        layout == Layout.LINEAR ? tv.flattenedInputs().get(layer.name()) : null));
            }
            if (batchNorm) {
                bindings.add(new Binding(layer.name() + ".num_batches_tracked", null, Layout.COUNTER, null));
            }
        }
        return bindings;
    }

    static IncompatibleKeys load(TorchvisionModel tv, StateDict sd, boolean strict) throws IOException {
        List<Binding> bindings = bindings(tv);
        Set<String> expected = new LinkedHashSet<>();
        bindings.forEach(b -> expected.add(b.key()));
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(sd.keys());
        // BatchNorm's _load_from_state_dict fills in a missing num_batches_tracked for state_dicts without a
        // version (torchvision's older checkpoints predate it); eval mode never reads it
        missing.removeIf(k -> k.endsWith(".num_batches_tracked"));
        List<String> unexpected = new ArrayList<>(sd.keys());
        unexpected.removeAll(expected);
        String where = sd.source() == null ? "state_dict" : sd.source().toString();
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new IllegalArgumentException(where + ": error loading the state_dict into torchvision "
                    + tv.name() + ": " + list("missing key(s)", missing) + "; " + list("unexpected key(s)", unexpected)
                    + " (loadStateDict(..., strict=false) loads the keys both have)");
        }
        List<String> mismatched = new ArrayList<>();
        for (Binding b : bindings) {
            TorchTensor t = sd.get(b.key());
            if (t != null && !Arrays.equals(t.shape(), b.torchShape())) {
                mismatched.add(b.key() + " is " + Arrays.toString(t.shape()) + " in the file, "
                        + Arrays.toString(b.torchShape()) + " in the model");
            }
        }
        if (!mismatched.isEmpty()) {
            throw new IllegalArgumentException(where + ": size mismatch for " + String.join("; ", mismatched));
        }
        for (Binding b : bindings) {
            TorchTensor t = sd.get(b.key());
            if (t == null || b.parameter() == null) {
                continue;
            }
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException(where + ": " + b.key() + " is " + t.dtype() + ", not floating point");
            }
            float[] torch = t.toFloatArray();
            float[] convey = new float[torch.length];
            for (int i = 0; i < convey.length; i++) {
                convey[i] = torch[b.torchIndex(i)];
            }
            b.parameter().assign(Tensor.of(convey, b.parameter().value().shape()));
        }
        return new IncompatibleKeys(List.copyOf(missing), List.copyOf(unexpected));
    }

    static Map<String, TorchTensor> stateDict(TorchvisionModel tv) {
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        for (Binding b : bindings(tv)) {
            if (b.parameter() == null) {
                out.put(b.key(), TorchTensor.ofLongs(new long[] {0}));
                continue;
            }
            float[] convey = b.parameter().value().toArray();
            float[] torch = new float[convey.length];
            for (int i = 0; i < convey.length; i++) {
                torch[b.torchIndex(i)] = convey[i];
            }
            out.put(b.key(), TorchTensor.of(torch, b.torchShape()));
        }
        return out;
    }

    private static String list(String what, List<String> keys) {
        int shown = Math.min(keys.size(), 30);
        return keys.size() + " " + what + (keys.isEmpty() ? "" : " " + keys.subList(0, shown)
                + (keys.size() > shown ? " and " + (keys.size() - shown) + " more" : ""));
    }
}
