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
import org.junit.jupiter.params.provider.CsvSource;
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
    @ValueSource(strings = {"resnet18", "resnet50", "vgg11_bn", "mobilenet_v2", "mobilenet_v3_small",
            "mobilenet_v3_large", "efficientnet_b0", "densenet121", "squeezenet1_0", "squeezenet1_1", "googlenet"})
    void stateDictKeysAndShapesAreTorchvisions(String name) throws IOException {
        assertEquals(torchvisionKeys(name), conveyKeys(Torchvision.create(name)));
    }

    @Tag("slow")
    @ParameterizedTest
    @ValueSource(strings = {"resnet34", "resnet101", "resnet152", "vgg16", "vgg19_bn", "efficientnet_b1", "efficientnet_b2",
            "efficientnet_b3", "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7", "densenet161",
            "densenet169", "densenet201", "inception_v3"})
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

    /** torchvision's checkpoints of DenseNet keep the old keys denselayerJ.norm.1.weight; they load. */
    @Test
    void denseNetLoadsTorchvisionsLegacyKeys() throws IOException {
        Layer.setRandomSeed(6);
        int[] shape = {64, 64, 3};
        TorchvisionModel model = Torchvision.create("densenet121", 10, shape);
        Map<String, TorchTensor> legacy = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> legacy.put(k.replaceAll("(denselayer\\d+\\.(norm|conv))([12])\\.(weight|bias|running)",
                "$1.$3.$4"), v));
        assertTrue(legacy.containsKey("features.denseblock1.denselayer1.norm.1.running_mean"), legacy.keySet().toString());
        assertTrue(legacy.containsKey("features.denseblock1.denselayer1.norm1.num_batches_tracked"));
        Path file = tmp.resolve("legacy.safetensors");
        Safetensors.write(file, legacy);
        TorchvisionModel back = Torchvision.load("densenet121", file, shape);
        Tensor x = Tensor.zeros(1, 64, 64, 3);
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        assertArrayEquals(model.model().predict(x, 1).toArray(), back.model().predict(x, 1).toArray(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Torchvision.create("densenet121",
                10, shape).loadStateDict(new StateDict(file, legacy), true));
        assertTrue(e.getMessage().contains("denselayer1.norm.1.weight"), e.getMessage());
    }

    /**
     * squeezenet's MaxPool2d(3, 2, ceil_mode=True) on non-negative inputs against the loop PyTorch's ceil mode
     * defines: ceil((H - 3) / 2) + 1 windows, the last one clipped at the edge.
     */
    @ParameterizedTest
    @CsvSource({"7,3,2,0", "8,3,2,0", "9,3,2,0", "10,3,2,0", "109,3,2,0", "7,2,2,0", "14,2,2,0", "7,3,1,1", "12,3,1,1",
            "9,3,2,1", "10,3,2,1"})
    void ceilModeMaxPoolIsPyTorchs(int size, int k, int s, int p) {
        int h = size, w = size + 1, c = 2;
        dev.convey.models.SymbolicTensor in = dev.convey.models.Input.of(h, w, c);
        dev.convey.models.Model pool = new dev.convey.models.Model(in, Modules.maxPoolCeil(in, k, s, p, "pool"), "pool");
        Tensor x = Tensor.zeros(1, h, w, c);
        java.util.Random r = new java.util.Random(size);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) Math.max(0, r.nextGaussian()));
        }
        int oh = ceilOut(h, k, s, p), ow = ceilOut(w, k, s, p);
        Tensor y = pool.predict(x, 1);
        assertArrayEquals(new int[] {1, oh, ow, c}, y.shape());
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                for (int ch = 0; ch < c; ch++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int a = Math.max(0, s * i - p); a < Math.min(s * i - p + k, h); a++) {
                        for (int b = Math.max(0, s * j - p); b < Math.min(s * j - p + k, w); b++) {
                            max = Math.max(max, x.data().get((a * w + b) * c + ch));
                        }
                    }
                    assertEquals(max, y.data().get((i * ow + j) * c + ch), 0f, i + "," + j);
                }
            }
        }
    }

    /** PyTorch's pooling_output_shape with ceil_mode: the last window must start inside the image or left padding. */
    private static int ceilOut(int size, int k, int s, int p) {
        int out = (int) Math.ceil((size + 2.0 * p - k) / s) + 1;
        return (out - 1) * s >= size + p ? out - 1 : out;
    }

    /** googlenet's aux1, aux2 (not on the eval path) are in its state_dict; a new head replaces all three classifiers. */
    @Test
    void googLeNetCarriesTwoAuxiliaryHeads() {
        Layer.setRandomSeed(7);
        TorchvisionModel model = Torchvision.create("googlenet", 5, new int[] {96, 96, 3});
        assertEquals(List.of("aux1.fc2", "aux2.fc2", "fc"), model.classifiers());
        assertEquals(5, model.auxiliaries().get(1).output().shape()[0]);
        TorchvisionModel three = model.withNewHead(3);
        assertEquals(3, three.auxiliaries().get(0).output().shape()[0]);
        assertArrayEquals(model.layer("aux1.fc1").getWeights().get(0).toArray(),
                three.layer("aux1.fc1").getWeights().get(0).toArray(), 0f);
    }

    /** inception_v3's AuxLogits (not on the eval path) is in its state_dict and loads, also on small inputs. */
    @Test
    void inceptionCarriesItsAuxiliaryHead() {
        TorchvisionModel model = Torchvision.create("inception_v3", 7, new int[] {139, 139, 3});
        assertEquals(7, model.auxiliaries().get(0).output().shape()[0]);
        assertTrue(model.stateDict().containsKey("AuxLogits.conv1.conv.weight"));
        assertEquals(List.of("AuxLogits.fc", "fc"), model.classifiers());
    }

    /** What Convey writes, PyTorch loads: torchvision.models.NAME().load_state_dict(torch.load(f)), same outputs. */
    @Tag("slow")
    @ParameterizedTest
    @ValueSource(strings = {"resnet18.pth", "resnet18.safetensors", "efficientnet_b0.safetensors", "densenet121.pth",
            "mobilenet_v3_large.pth", "inception_v3.pth", "googlenet.safetensors", "squeezenet1_1.pth"})
    void pyTorchLoadsWhatConveyWrote(String file) throws IOException, InterruptedException {
        PyTorch.require();
        Layer.setRandomSeed(5);
        String name = file.substring(0, file.indexOf('.'));
        TorchvisionModel model = Torchvision.create(name);
        Path path = tmp.resolve(file);
        model.saveStateDict(path);
        int[] shape = Torchvision.defaultInputShape(name);
        Tensor x = Tensor.zeros(1, shape[0], shape[1], 3);
        java.util.Random r = new java.util.Random(2);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        Npy.write(tmp.resolve("x.npy"), x);
        PyTorch.run(PyTorch.script("load_in_torchvision.py").toString(), name, path.toString(),
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
