package dev.convey.torch;

import java.util.List;
import java.util.Map;

import dev.convey.layers.AveragePooling2D;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Dense;
import dev.convey.layers.Dropout;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.MaxPooling2D;
import dev.convey.layers.ZeroPadding2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * torchvision's {@code inception_v3} ({@code torchvision/models/inception.py}) as {@code inception_v3()} builds
 * it: {@code aux_logits=True} (the {@code AuxLogits} head is in the state_dict; it is the model's
 * {@link TorchvisionModel#auxiliaries}, PyTorch only runs it in training) and {@code transform_input=False}
 * (torchvision's pretrained weights set it True: renormalise the input as ImageNet mean/std to 0.5/0.5 first).
 * Input 299x299. Every conv is a BasicConv2d {@code MODULE.conv} (no bias) + {@code MODULE.bn} (eps 1e-3) + ReLU.
 * <pre>
 *   Conv2d_1a_3x3 /2, Conv2d_2a_3x3, Conv2d_2b_3x3 pad 1, maxpool1 3x3/2, Conv2d_3b_1x1, Conv2d_4a_3x3, maxpool2
 *   Mixed_5b-d  InceptionA(pool_features 32, 64, 64)   Mixed_6a InceptionB
 *   Mixed_6b-e  InceptionC(channels_7x7 128, 160, 160, 192)   (AuxLogits here)
 *   Mixed_7a InceptionD   Mixed_7b-c InceptionE   avgpool (adaptive 1x1), dropout, fc
 * </pre>
 * The branches are concatenated on channels in torchvision's order. Its pools have no {@code ceil_mode}; the
 * 3x3/1 average pools with padding 1 count the padding ({@code count_include_pad=True}), so they are
 * {@link ZeroPadding2D} + a valid average pool.
 */
final class Inceptions {

    private final Modules modules = new Modules(1e-3, 0.1);

    private Inceptions() {
    }

    static TorchvisionModel create(String name, int classes, int[] inputShape) {
        if (!name.equals("inception_v3")) {
            throw new IllegalArgumentException("not a torchvision Inception: " + name);
        }
        return new Inceptions().build(name, classes, inputShape);
    }

    private TorchvisionModel build(String name, int classes, int[] inputShape) {
        SymbolicTensor input = Input.of(inputShape);
        SymbolicTensor x = basic(input, 32, 3, 2, 0, "Conv2d_1a_3x3");
        x = basic(x, 32, 3, 1, 0, "Conv2d_2a_3x3");
        x = basic(x, 64, 3, 1, 1, "Conv2d_2b_3x3");
        x = maxPool(x, "maxpool1");
        x = basic(x, 80, 1, 1, 0, "Conv2d_3b_1x1");
        x = basic(x, 192, 3, 1, 0, "Conv2d_4a_3x3");
        x = maxPool(x, "maxpool2");
        x = inceptionA(x, 32, "Mixed_5b");
        x = inceptionA(x, 64, "Mixed_5c");
        x = inceptionA(x, 64, "Mixed_5d");
        x = inceptionB(x, "Mixed_6a");
        x = inceptionC(x, 128, "Mixed_6b");
        x = inceptionC(x, 160, "Mixed_6c");
        x = inceptionC(x, 160, "Mixed_6d");
        x = inceptionC(x, 192, "Mixed_6e");
        boolean auxFits = x.shape()[0] >= 17 && x.shape()[1] >= 17;
        SymbolicTensor auxInput = auxFits ? input : Input.of(17, 17, x.shape()[2]);
        SymbolicTensor aux = auxLogits(auxFits ? x : auxInput, classes, "AuxLogits");
        x = inceptionD(x, "Mixed_7a");
        x = inceptionE(x, "Mixed_7b");
        x = inceptionE(x, "Mixed_7c");
        x = new GlobalAveragePooling2D().name("avgpool").apply(x);
        x = new Dropout(0.5).name("dropout").apply(x);
        modules.add("fc");
        x = new Dense(classes).name("fc").apply(x);
        return new TorchvisionModel(name, new Model(input, x, name), Map.of(), modules.order(),
                List.of(new Model(auxInput, aux, name + "_aux")));
    }

    /**
     * InceptionAux: avg pool 5x5/3, conv0 1x1 128, conv1 5x5 768, adaptive average to 1x1, fc. On Mixed_6e's
     * output when that is at least 17x17 (inputs of 299 and more); on smaller inputs (PyTorch runs them in eval
     * mode only) the head takes its own (17, 17, 768) input, so that its weights still load and save.
     */
    private SymbolicTensor auxLogits(SymbolicTensor x, int classes, String p) {
        SymbolicTensor y = new AveragePooling2D(5).strides(3).name(p + ".pool").apply(x);
        y = basic(y, 128, 1, 1, 0, p + ".conv0");
        y = basic(y, 768, 5, 1, 0, p + ".conv1");
        y = new GlobalAveragePooling2D().name(p + ".avgpool").apply(y);
        modules.add(p + ".fc");
        return new Dense(classes).name(p + ".fc").apply(y);
    }

    private SymbolicTensor inceptionA(SymbolicTensor x, int poolFeatures, String p) {
        SymbolicTensor b1 = basic(x, 64, 1, 1, 0, p + ".branch1x1");
        SymbolicTensor b5 = basic(basic(x, 48, 1, 1, 0, p + ".branch5x5_1"), 64, 5, 1, 2, p + ".branch5x5_2");
        SymbolicTensor b3 = basic(x, 64, 1, 1, 0, p + ".branch3x3dbl_1");
        b3 = basic(basic(b3, 96, 3, 1, 1, p + ".branch3x3dbl_2"), 96, 3, 1, 1, p + ".branch3x3dbl_3");
        SymbolicTensor pool = basic(avgPool3x3(x, p), poolFeatures, 1, 1, 0, p + ".branch_pool");
        return cat(p, b1, b5, b3, pool);
    }

    private SymbolicTensor inceptionB(SymbolicTensor x, String p) {
        SymbolicTensor b3 = basic(x, 384, 3, 2, 0, p + ".branch3x3");
        SymbolicTensor d = basic(x, 64, 1, 1, 0, p + ".branch3x3dbl_1");
        d = basic(basic(d, 96, 3, 1, 1, p + ".branch3x3dbl_2"), 96, 3, 2, 0, p + ".branch3x3dbl_3");
        return cat(p, b3, d, maxPool(x, p + ".pool"));
    }

    private SymbolicTensor inceptionC(SymbolicTensor x, int c7, String p) {
        SymbolicTensor b1 = basic(x, 192, 1, 1, 0, p + ".branch1x1");
        SymbolicTensor b7 = basic(x, c7, 1, 1, 0, p + ".branch7x7_1");
        b7 = basic(basic(b7, c7, ROW7, ROW7_PAD, p + ".branch7x7_2"), 192, COL7, COL7_PAD, p + ".branch7x7_3");
        SymbolicTensor d = basic(x, c7, 1, 1, 0, p + ".branch7x7dbl_1");
        d = basic(basic(d, c7, COL7, COL7_PAD, p + ".branch7x7dbl_2"), c7, ROW7, ROW7_PAD, p + ".branch7x7dbl_3");
        d = basic(basic(d, c7, COL7, COL7_PAD, p + ".branch7x7dbl_4"), 192, ROW7, ROW7_PAD, p + ".branch7x7dbl_5");
        SymbolicTensor pool = basic(avgPool3x3(x, p), 192, 1, 1, 0, p + ".branch_pool");
        return cat(p, b1, b7, d, pool);
    }

    private SymbolicTensor inceptionD(SymbolicTensor x, String p) {
        SymbolicTensor b3 = basic(basic(x, 192, 1, 1, 0, p + ".branch3x3_1"), 320, 3, 2, 0, p + ".branch3x3_2");
        SymbolicTensor b7 = basic(x, 192, 1, 1, 0, p + ".branch7x7x3_1");
        b7 = basic(basic(b7, 192, ROW7, ROW7_PAD, p + ".branch7x7x3_2"), 192, COL7, COL7_PAD, p + ".branch7x7x3_3");
        b7 = basic(b7, 192, 3, 2, 0, p + ".branch7x7x3_4");
        return cat(p, b3, b7, maxPool(x, p + ".pool"));
    }

    private SymbolicTensor inceptionE(SymbolicTensor x, String p) {
        SymbolicTensor b1 = basic(x, 320, 1, 1, 0, p + ".branch1x1");
        SymbolicTensor b3 = basic(x, 384, 1, 1, 0, p + ".branch3x3_1");
        b3 = new Concatenate().name(p + ".branch3x3.cat").apply(basic(b3, 384, ROW3, ROW3_PAD, p + ".branch3x3_2a"),
                basic(b3, 384, COL3, COL3_PAD, p + ".branch3x3_2b"));
        SymbolicTensor d = basic(basic(x, 448, 1, 1, 0, p + ".branch3x3dbl_1"), 384, 3, 1, 1, p + ".branch3x3dbl_2");
        d = new Concatenate().name(p + ".branch3x3dbl.cat").apply(basic(d, 384, ROW3, ROW3_PAD, p + ".branch3x3dbl_3a"),
                basic(d, 384, COL3, COL3_PAD, p + ".branch3x3dbl_3b"));
        SymbolicTensor pool = basic(avgPool3x3(x, p), 192, 1, 1, 0, p + ".branch_pool");
        return cat(p, b1, b3, d, pool);
    }

    private static final int[] ROW7 = {1, 7}, ROW7_PAD = {0, 3}, COL7 = {7, 1}, COL7_PAD = {3, 0};
    private static final int[] ROW3 = {1, 3}, ROW3_PAD = {0, 1}, COL3 = {3, 1}, COL3_PAD = {1, 0};

    /** BasicConv2d(k, stride, padding): conv (no bias), bn (eps 1e-3), ReLU. */
    private SymbolicTensor basic(SymbolicTensor x, int filters, int k, int stride, int padding, String p) {
        return basic(x, filters, new int[] {k, k}, stride, new int[] {padding, padding}, p);
    }

    private SymbolicTensor basic(SymbolicTensor x, int filters, int[] k, int[] padding, String p) {
        return basic(x, filters, k, 1, padding, p);
    }

    private SymbolicTensor basic(SymbolicTensor x, int filters, int[] k, int stride, int[] padding, String p) {
        SymbolicTensor y = modules.bn(modules.conv(x, filters, k, stride, padding, false, p + ".conv"), p + ".bn");
        return Modules.relu(y, p + ".relu");
    }

    /** {@code F.avg_pool2d(x, 3, stride=1, padding=1)}, the padding counted in the average. */
    private static SymbolicTensor avgPool3x3(SymbolicTensor x, String p) {
        SymbolicTensor padded = new ZeroPadding2D(1).name(p + ".branch_pool.pad").apply(x);
        return new AveragePooling2D(3).strides(1).name(p + ".branch_pool.avg").apply(padded);
    }

    /** {@code nn.MaxPool2d(3, stride=2)}: no padding, floor mode. */
    private static SymbolicTensor maxPool(SymbolicTensor x, String name) {
        return new MaxPooling2D(3).strides(2).name(name).apply(x);
    }

    private static SymbolicTensor cat(String p, SymbolicTensor... branches) {
        return new Concatenate().name(p + ".cat").apply(branches);
    }
}
