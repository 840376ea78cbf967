package dev.convey.torch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * torchvision's {@code densenet121/161/169/201} ({@code torchvision/models/densenet.py}), DenseNet-BC:
 * <pre>
 *   features.conv0 7x7/2 pad 3, norm0, relu0, pool0 3x3/2 max pad 1          224 -> 112 -> 56
 *   features.denseblock1..4 of (6,12,24,16) (121), (6,12,36,24) (161), (6,12,32,32) (169), (6,12,48,32) (201)
 *     layers, growth k = 32 (161: 48), each denselayerJ: norm1, relu1, conv1 1x1 to 4k, norm2, relu2,
 *     conv2 3x3 pad 1 to k, its output concatenated after all earlier features of the block
 *   features.transition1..3: norm, relu, conv 1x1 halving the channels, pool 2x2/2 average
 *   features.norm5, then ReLU, adaptive average pool to 1x1, classifier (Linear)
 * </pre>
 * Initial features 64 (161: 96); convolutions have no bias. The max pool's zero padding equals PyTorch's
 * -inf padding because it follows a ReLU. torchvision's published checkpoints still use the old keys
 * {@code denselayerJ.norm.1.weight} for {@code denselayerJ.norm1.weight}; {@link #renameLegacyKeys} maps them,
 * as torchvision's {@code _load_state_dict} does.
 */
final class DenseNets {

    private static final Pattern LEGACY = Pattern.compile(
            "^(.*denselayer\\d+\\.(?:norm|relu|conv))\\.((?:[12])\\.(?:weight|bias|running_mean|running_var))$");

    private final Modules modules = new Modules();

    private DenseNets() {
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        return switch (name) {
            case "densenet121" -> new DenseNets().build(name, 32, new int[] {6, 12, 24, 16}, 64, classes, inputShape);
            case "densenet161" -> new DenseNets().build(name, 48, new int[] {6, 12, 36, 24}, 96, classes, inputShape);
            case "densenet169" -> new DenseNets().build(name, 32, new int[] {6, 12, 32, 32}, 64, classes, inputShape);
            case "densenet201" -> new DenseNets().build(name, 32, new int[] {6, 12, 48, 32}, 64, classes, inputShape);
            default -> throw new IllegalArgumentException("not a torchvision DenseNet: " + name);
        };
    }

    /** The state_dict with {@code denselayerJ.norm.1.*} renamed {@code denselayerJ.norm1.*} (others unchanged). */
    static StateDict renameLegacyKeys(StateDict sd) {
        Map<String, TorchTensor> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, TorchTensor> e : sd.tensors().entrySet()) {
            Matcher m = LEGACY.matcher(e.getKey());
            renamed.put(m.matches() ? m.group(1) + m.group(2) : e.getKey(), e.getValue());
        }
        return new StateDict(sd.source(), renamed);
    }

    private TorchvisionModel build(String name, int growth, int[] blocks, int initial, int classes, int[] inputShape) {
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = modules.conv(input, initial, 7, 2, 3, false, "features.conv0");
        x = Modules.relu(modules.bn(x, "features.norm0"), "features.relu0");
        x = new ZeroPadding2D(1).name("features.pool0.pad").apply(x);
        x = new MaxPooling2D(3).strides(2).name("features.pool0").apply(x);
        int features = initial;
        for (int b = 0; b < blocks.length; b++) {
            String block = "features.denseblock" + (b + 1);
            for (int l = 1; l <= blocks[b]; l++) {
                x = denseLayer(x, growth, block + ".denselayer" + l);
            }
            features += blocks[b] * growth;
            if (b < blocks.length - 1) {
                String t = "features.transition" + (b + 1);
                features /= 2;
                x = Modules.relu(modules.bn(x, t + ".norm"), t + ".relu");
                x = modules.conv(x, features, 1, 1, 0, false, t + ".conv");
                x = new AveragePooling2D(2).strides(2).name(t + ".pool").apply(x);
            }
        }
        x = Modules.relu(modules.bn(x, "features.norm5"), "relu");
        x = new GlobalAveragePooling2D().name("avgpool").apply(x);
        modules.add("classifier");
        x = new Dense(classes).name("classifier").apply(x);
        return new TorchvisionModel(name, new Model(input, x, name), Map.of(), modules.order());
    }

    /** One _DenseLayer: the block's features so far, then its k new ones after them. */
    private SymbolicTensor denseLayer(SymbolicTensor x, int growth, String p) {
        SymbolicTensor y = Modules.relu(modules.bn(x, p + ".norm1"), p + ".relu1");
        y = modules.conv(y, 4 * growth, 1, 1, 0, false, p + ".conv1");
        y = Modules.relu(modules.bn(y, p + ".norm2"), p + ".relu2");
        y = modules.conv(y, growth, 3, 1, 1, false, p + ".conv2");
        return new Concatenate().name(p + ".cat").apply(x, y);
    }
}
