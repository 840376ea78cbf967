package dev.convey.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.io.Npy;
import dev.convey.layers.Layer;
import dev.convey.tensor.Tensor;

/** The architectures' state_dict names and shapes, strictness, and writing checkpoints back. */
class TorchvisionModelsTest {

    @TempDir
    Path tmp;

    /** torchvision's own keys and shapes of every model (torchvision_keys.json, made by torchvision 0.14). */
    static List<String> torchvisionKeys(String name) throws IOException {
        JsonObject all = JsonParser.parseString(Files.readString(TorchReadersTest.fixture("torchvision_keys.json")))
                .getAsJsonObject();
        List<String> keys = new ArrayList<>();
        for (JsonElement e : all.getAsJsonArray(name)) {
            JsonArray pair = e.getAsJsonArray();
            keys.add(pair.get(0).getAsString() + " " + pair.get(1));
        }
        return keys;
    }

    static List<String> conveyKeys(TorchvisionModel model) {
        List<String> keys = new ArrayList<>();
        model.stateDict().forEach((k, t) -> keys.add(k + " " + java.util.Arrays.toString(t.shape()).replace(" ", "")));
        return keys;
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50", "vgg11_bn"})
    void stateDictKeysAndShapesAreTorchvisions(String name) throws IOException {
        assertEquals(torchvisionKeys(name), conveyKeys(Torchvision.create(name)));
    }

    @Tag("slow")
    @ParameterizedTest
    @ValueSource(strings = {"resnet34", "resnet101", "resnet152", "vgg11", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
            "vgg19", "vgg19_bn"})
    void stateDictKeysAndShapesOfTheOtherModels(String name) throws IOException {
        stateDictKeysAndShapesAreTorchvisions(name);
    }

    @Test
    void strictLoadingListsMissingAndUnexpectedKeys() throws IOException {
        TorchvisionModel model = Torchvision.create("resnet18", 10, new int[] {64, 64, 3});
        Map<String, TorchTensor> sd = new LinkedHashMap<>(model.stateDict());
        sd.remove("layer2.1.bn2.running_var");
        sd.remove("fc.bias");
        sd.put("fc2.weight", TorchTensor.of(new float[] {1}, 1));
        StateDict dict = new StateDict(null, sd);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Torchvision.create("resnet18", 10, new int[] {64, 64, 3}).loadStateDict(dict, true));
        assertTrue(e.getMessage().contains("2 missing key(s) [layer2.1.bn2.running_var, fc.bias]"), e.getMessage());
        assertTrue(e.getMessage().contains("1 unexpected key(s) [fc2.weight]"), e.getMessage());

        TorchWeights.IncompatibleKeys left = Torchvision.create("resnet18", 10, new int[] {64, 64, 3})
                .loadStateDict(dict, false);
        assertEquals(List.of("layer2.1.bn2.running_var", "fc.bias"), left.missingKeys());
        assertEquals(List.of("fc2.weight"), left.unexpectedKeys());

        sd.put("fc.bias", TorchTensor.of(new float[5], 5));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> Torchvision.create("resnet18", 10, new int[] {64, 64, 3}).loadStateDict(new StateDict(null, sd), false));
        assertTrue(size.getMessage().contains("size mismatch for fc.bias is [5] in the file, [10] in the model"),
                size.getMessage());
    }

    /** A model written as .pth and .safetensors and read back into a fresh model gives the same outputs. */
    @ParameterizedTest
    @ValueSource(strings = {"model.pth", "model.safetensors"})
    void writtenCheckpointsReadBackExactly(String file) throws IOException {
        Layer.setRandomSeed(3);
        TorchvisionModel a = Torchvision.create("resnet18", 7, new int[] {64, 64, 3});
        Path path = tmp.resolve(file);
        a.saveStateDict(path);
        TorchvisionModel b = Torchvision.create("resnet18", 7, new int[] {64, 64, 3});
        b.loadWeights(path);
        Tensor x = Tensor.zeros(2, 64, 64, 3);
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        assertArrayEquals(a.model().predict(x, 2).toArray(), b.model().predict(x, 2).toArray(), 0f);
        assertEquals(conveyKeys(a), conveyKeys(b));
    }

    /** What Convey writes, PyTorch loads: torchvision.models.resnet18().load_state_dict(torch.load(f)). */
    @Tag("slow")
    @ParameterizedTest
    @ValueSource(strings = {"resnet18.pth", "resnet18.safetensors"})
    void pyTorchLoadsWhatConveyWrote(String file) throws IOException, InterruptedException {
        PyTorch.require();
        Layer.setRandomSeed(5);
        TorchvisionModel model = Torchvision.create("resnet18");
        Path path = tmp.resolve(file);
        model.saveStateDict(path);
        Tensor x = Tensor.zeros(1, 224, 224, 3);
        java.util.Random r = new java.util.Random(2);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        Npy.write(tmp.resolve("x.npy"), x);
        PyTorch.run(PyTorch.script("load_in_torchvision.py").toString(), "resnet18", path.toString(),
                tmp.resolve("x.npy").toString(), tmp.resolve("y.npy").toString());
        float[] expected = Npy.read(tmp.resolve("y.npy")).toArray();
        float[] actual = model.model().predict(x, 1).toArray();
        double rms = 0, max = 0;
        for (int i = 0; i < expected.length; i++) {
            rms += expected[i] * (double) expected[i];
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        rms = Math.sqrt(rms / expected.length);
        assertTrue(max <= 1e-4 * rms, "PyTorch's output differs by " + max + " (RMS " + rms + ")");
    }
}
