package dev.convey.torch;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.convey.models.Model;

/**
 * A torchvision architecture built in Convey's NHWC engine, whose layers carry torchvision's module names
 * ({@code layer1.0.conv1}, {@code features.0}, {@code classifier.6}), so that a {@code state_dict} loads by
 * its own keys ({@link TorchWeights}). {@code flattenedInputs} names the Linear layers that follow a flatten
 * and the NHWC shape that was flattened: their weights' columns are reordered from PyTorch's (c, h, w) order.
 */
public final class TorchvisionModel {

    private final String name;
    private final Model model;
    private final Map<String, int[]> flattenedInputs;
    private final List<String> moduleOrder;
    private final List<Model> auxiliaries;

    TorchvisionModel(String name, Model model, Map<String, int[]> flattenedInputs, List<String> moduleOrder) {
        this(name, model, flattenedInputs, moduleOrder, List.of());
    }

    /**
     * With auxiliary heads whose weights are in the state_dict but not on the eval path (inception_v3's
     * AuxLogits, googlenet's aux1 and aux2).
     */
    TorchvisionModel(String name, Model model, Map<String, int[]> flattenedInputs, List<String> moduleOrder,
            List<Model> auxiliaries) {
        this.name = name;
        this.model = model;
        this.flattenedInputs = Collections.unmodifiableMap(flattenedInputs);
        this.moduleOrder = List.copyOf(moduleOrder);
        this.auxiliaries = List.copyOf(auxiliaries);
    }

    /**
     * The auxiliary classifiers PyTorch runs only in training mode ({@code inception_v3}'s {@code AuxLogits} on
     * the Mixed_6e features, googlenet's {@code aux1}, {@code aux2}; they share the model's layers up to there);
     * empty for the other models.
     */
    public List<Model> auxiliaries() {
        return auxiliaries;
    }

    /** Every layer, of the model and of the auxiliary heads, once each. */
    List<dev.convey.layers.Layer> layers() {
        java.util.Set<dev.convey.layers.Layer> all = new java.util.LinkedHashSet<>(model.layers());
        auxiliaries.forEach(a -> all.addAll(a.layers()));
        return List.copyOf(all);
    }

    /** The layer of this module path, in the model or the auxiliary head. */
    dev.convey.layers.Layer layer(String module) {
        for (dev.convey.layers.Layer layer : layers()) {
            if (layer.name().equals(module)) {
                return layer;
            }
        }
        throw new IllegalArgumentException(name + " has no module '" + module + "'");
    }

    /** The modules whose shapes depend on the number of classes: each auxiliary head's last Linear, the last Linear. */
    List<String> classifiers() {
        List<String> out = new java.util.ArrayList<>();
        auxiliaries.forEach(a -> out.add(a.output().layer().name()));
        out.add(moduleOrder.get(moduleOrder.size() - 1));
        return out;
    }

    /** The layers with weights, in torchvision's module order (its state_dict's order). */
    List<String> moduleOrder() {
        return moduleOrder;
    }

    /** torchvision's name: {@code resnet50}, {@code vgg16_bn}. */
    public String name() {
        return name;
    }

    /** The Convey model (NHWC input, logits out, as torchvision's models give logits). */
    public Model model() {
        return model;
    }

    /**
     * PyTorch's {@code for p in model.parameters(): p.requires_grad = flag}: Keras' {@code trainable} on every
     * layer (not on the model, so that a later {@code requiresGrad("fc", true)} can unfreeze one module; as in
     * Keras, it takes effect at the next compile).
     */
    public TorchvisionModel requiresGrad(boolean flag) {
        layers().forEach(layer -> layer.setTrainable(flag));
        return this;
    }

    /**
     * {@code for p in model.MODULE.parameters(): p.requires_grad = flag} for the module path {@code prefix}
     * ({@code layer4}, {@code features.28}, {@code fc}): every layer named {@code prefix} or {@code prefix.*}.
     */
    public TorchvisionModel requiresGrad(String prefix, boolean flag) {
        int matched = 0;
        for (dev.convey.layers.Layer layer : layers()) {
            if (layer.name().equals(prefix) || layer.name().startsWith(prefix + ".")) {
                layer.setTrainable(flag);
                matched++;
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException(name + " has no module '" + prefix + "'");
        }
        return this;
    }

    /**
     * The transfer-learning step {@code model.fc = nn.Linear(in, classes)} (ResNet) or
     * {@code model.classifier[6] = nn.Linear(4096, classes)} (VGG): the same architecture with a new, randomly
     * initialised last layer (inception_v3: and AuxLogits.fc) and every other weight copied from this model.
     */
    public TorchvisionModel withNewHead(int classes) {
        int[] inputShape = model.input().shape();
        TorchvisionModel fresh = Torchvision.create(name, classes, inputShape);
        for (String layer : moduleOrder) {
            if (!classifiers().contains(layer)) {
                fresh.layer(layer).setWeights(layer(layer).getWeights());
            }
        }
        return fresh;
    }

    /**
     * The convolutional base for transfer learning, as Keras' {@code include_top=False}: the feature map before
     * the classifier (before {@code avgpool}; VGG: {@code features}' last max pool; DenseNet: after its final ReLU), then
     * {@code pooling} "avg" or "max" (global), or null for the 4-D map. It shares this model's layers.
     */
    public Model base(String pooling) {
        String head = name.startsWith("vgg") ? "flatten" : name.startsWith("squeezenet") ? "classifier.0" : "avgpool";
        dev.convey.models.SymbolicTensor features = model.outputOf(head).inputs().get(0);
        if (features.layer().name().equals("avgpool")) {
            features = features.inputs().get(0);
        }
        if (pooling != null) {
            features = switch (pooling) {
                case "avg" -> new dev.convey.layers.GlobalAveragePooling2D().name("global_avg_pool").apply(features);
                case "max" -> new dev.convey.layers.GlobalMaxPooling2D().name("global_max_pool").apply(features);
                default -> throw new IllegalArgumentException("pooling must be avg, max or null, got " + pooling);
            };
        }
        return new Model(model.inputs(), features, name + "_base");
    }

    /** Linear layer name to the (h, w, c) shape flattened into it. */
    Map<String, int[]> flattenedInputs() {
        return flattenedInputs;
    }

    /**
     * PyTorch's {@code model.load_state_dict(state_dict, strict)}: strict, a missing or unexpected key is an
     * error listing them; otherwise the keys left out are returned.
     */
    public TorchWeights.IncompatibleKeys loadStateDict(StateDict stateDict, boolean strict) throws IOException {
        return TorchWeights.load(this, stateDict, strict);
    }

    /** {@code load_state_dict(torch.load(file))}: reads a .pth or .safetensors file and loads it strictly. */
    public TorchvisionModel loadWeights(java.nio.file.Path file) throws IOException {
        loadStateDict(StateDict.read(file), true);
        return this;
    }

    /**
     * {@code torch.save(model.state_dict(), file)} for a {@code .pth}/{@code .pt} file, safetensors for a
     * {@code .safetensors} one; either loads in PyTorch with {@code torchvision.models.NAME().load_state_dict(...)}.
     */
    public void saveStateDict(java.nio.file.Path file) throws IOException {
        if (file.getFileName().toString().endsWith(".safetensors")) {
            Safetensors.write(file, stateDict());
        } else {
            TorchWriter.write(file, stateDict());
        }
    }

    /** PyTorch's {@code model.state_dict()}: torchvision's keys, PyTorch's layouts, float32 (and int64 counts). */
    public Map<String, TorchTensor> stateDict() {
        return TorchWeights.stateDict(this);
    }
}
