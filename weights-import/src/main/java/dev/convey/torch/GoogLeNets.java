package dev.convey.torch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.convey.layers.Concatenate;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.Flatten;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * torchvision's {@code googlenet} ({@code torchvision/models/googlenet.py}) as {@code googlenet()} builds it:
 * {@code aux_logits=True} ({@code aux1}, {@code aux2} are in the state_dict: the model's
 * {@link TorchvisionModel#auxiliaries}, run by PyTorch in training only), {@code transform_input=False}.
 * Every conv is a BasicConv2d {@code MODULE.conv} (no bias) + {@code MODULE.bn} (eps 1e-3) + ReLU; the max
 * pools use {@code ceil_mode=True} ({@link Modules#maxPoolCeil}).
 * <pre>
 *   conv1 7x7/2 pad 3, maxpool1 3/2, conv2 1x1, conv3 3x3 pad 1, maxpool2 3/2
 *   inception3a-b, maxpool3 3/2, inception4a (aux1), 4b-d (aux2), 4e, maxpool4 2/2, inception5a-b
 *   avgpool (adaptive 1x1), dropout 0.2, fc 1024 -> classes
 * </pre>
 * An Inception block: branch1 1x1; branch2 1x1 + 3x3; branch3 1x1 + 3x3 (torchvision's 3x3 where the paper has
 * 5x5); branch4 max pool 3/1 pad 1 + 1x1; concatenated. An aux head: adaptive average pool to 4x4, conv 1x1
 * 128, flatten (NCHW order), fc1 2048 -> 1024 + ReLU, dropout 0.7, fc2.
 */
final class GoogLeNets {

    /** Per block: input, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj. */
    private static final Map<String, int[]> BLOCKS = Map.of(
            "inception3a", new int[] {64, 96, 128, 16, 32, 32}, "inception3b", new int[] {128, 128, 192, 32, 96, 64},
            "inception4a", new int[] {192, 96, 208, 16, 48, 64}, "inception4b", new int[] {160, 112, 224, 24, 64, 64},
            "inception4c", new int[] {128, 128, 256, 24, 64, 64}, "inception4d", new int[] {112, 144, 288, 32, 64, 64},
            "inception4e", new int[] {256, 160, 320, 32, 128, 128}, "inception5a", new int[] {256, 160, 320, 32, 128, 128},
            "inception5b", new int[] {384, 192, 384, 48, 128, 128});

    private final Modules modules = new Modules(1e-3, 0.1);
    private final Map<String, int[]> flattened = new HashMap<>();
    private final List<Model> auxiliaries = new ArrayList<>();

    private GoogLeNets() {
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        if (!name.equals("googlenet")) {
            throw new IllegalArgumentException("not torchvision's GoogLeNet: " + name);
        }
        return new GoogLeNets().build(name, classes, inputShape);
    }

    private TorchvisionModel build(String name, int classes, int[] inputShape) {
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = basic(input, 64, 7, 2, 3, "conv1");
        x = Modules.maxPoolCeil(x, 3, 2, 0, "maxpool1");
        x = basic(basic(x, 64, 1, 1, 0, "conv2"), 192, 3, 1, 1, "conv3");
        x = Modules.maxPoolCeil(x, 3, 2, 0, "maxpool2");
        x = inception(inception(x, "inception3a"), "inception3b");
        x = Modules.maxPoolCeil(x, 3, 2, 0, "maxpool3");
        x = inception(x, "inception4a");
        SymbolicTensor aux1 = x;
        x = inception(inception(inception(x, "inception4b"), "inception4c"), "inception4d");
        SymbolicTensor aux2 = x;
        x = inception(x, "inception4e");
        x = Modules.maxPoolCeil(x, 2, 2, 0, "maxpool4");
        x = inception(inception(x, "inception5a"), "inception5b");
        auxiliary(input, aux1, classes, "aux1", name);     // registered after the blocks, before fc
        auxiliary(input, aux2, classes, "aux2", name);
        x = new GlobalAveragePooling2D().name("avgpool").apply(x);
        x = new Dropout(0.2).name("dropout").apply(x);
        modules.add("fc");
        x = new Dense(classes).name("fc").apply(x);
        return new TorchvisionModel(name, new Model(input, x, name), flattened, modules.order(), auxiliaries);
    }

    private void auxiliary(SymbolicTensor input, SymbolicTensor x, int classes, String p, String name) {
        SymbolicTensor y = new AdaptiveAveragePooling2D(4, 4).name(p + ".avgpool").apply(x);
        y = basic(y, 128, 1, 1, 0, p + ".conv");
        flattened.put(p + ".fc1", y.shape());
        y = new Flatten().name(p + ".flatten").apply(y);
        modules.add(p + ".fc1");
        y = new Dense(1024).activation("relu").name(p + ".fc1").apply(y);
        y = new Dropout(0.7).name(p + ".dropout").apply(y);
        modules.add(p + ".fc2");
        y = new Dense(classes).name(p + ".fc2").apply(y);
        auxiliaries.add(new Model(input, y, name + "_" + p));
    }

    private SymbolicTensor inception(SymbolicTensor x, String p) {
        int[] c = BLOCKS.get(p);
        SymbolicTensor b1 = basic(x, c[0], 1, 1, 0, p + ".branch1");
        SymbolicTensor b2 = basic(basic(x, c[1], 1, 1, 0, p + ".branch2.0"), c[2], 3, 1, 1, p + ".branch2.1");
        SymbolicTensor b3 = basic(basic(x, c[3], 1, 1, 0, p + ".branch3.0"), c[4], 3, 1, 1, p + ".branch3.1");
        SymbolicTensor b4 = basic(Modules.maxPoolCeil(x, 3, 1, 1, p + ".branch4.0"), c[5], 1, 1, 0, p + ".branch4.1");
        return new Concatenate().name(p + ".cat").apply(b1, b2, b3, b4);
    }

    /** BasicConv2d: conv (no bias), bn (eps 1e-3), ReLU. */
    private SymbolicTensor basic(SymbolicTensor x, int filters, int k, int stride, int padding, String p) {
        SymbolicTensor y = modules.bn(modules.conv(x, filters, k, stride, padding, false, p + ".conv"), p + ".bn");
        return Modules.relu(y, p + ".relu");
    }
}
