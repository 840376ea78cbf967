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

    TorchvisionModel(String name, Model model, Map<String, int[]> flattenedInputs, List<String> moduleOrder) {
        this.name = name;
        this.model = model;
        this.flattenedInputs = Collections.unmodifiableMap(flattenedInputs);
        this.moduleOrder = List.copyOf(moduleOrder);
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
