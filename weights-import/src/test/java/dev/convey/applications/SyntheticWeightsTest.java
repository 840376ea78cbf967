package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

/**
 * The generator of SYNTHETIC_WEIGHTS.md against meta.json, tensor by tensor: sum (float64), first and last value of
 * every weight of the tiny and full-size VGG16 and ResNet50, with the weights described only by meta.json (name,
 * index in the layer, shape). {@link ApplicationsTest} then checks that the models list the same tensors.
 */
class SyntheticWeightsTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny_vgg16", "tiny_resnet50", "vgg16", "resnet50"})
    void generatorReproducesEveryChecksum(String model) {
        List<Fixtures.Checksum> checksums = Fixtures.checksums(model);
        for (int t = 0; t < checksums.size(); t++) {
            Fixtures.Checksum c = checksums.get(t);
            Tensor w = Tensor.zeros(c.shape());
            SyntheticWeights.fillTensor(w, SyntheticWeights.FIXTURE_SEED, t, kindFromMeta(c, t == 0));
            String what = model + " tensor " + t + " (" + c.layer() + "[" + c.index() + "])";
            assertEquals((float) c.first(), w.data().get(0), what + ": first value");
            assertEquals((float) c.last(), w.data().get(w.size() - 1), what + ": last value");
            double sum = 0;
            for (int i = 0; i < w.size(); i++) {
                sum += w.data().get(i);
            }
            // A float64 sum of the same float32 values; only the summation order may differ.
            assertEquals(c.sum(), sum, 1e-9 * Math.max(1, Math.abs(c.sum())) + 1e-12 * w.size(), what + ": sum");
        }
    }

    /** The weight's name from meta.json's description: BN layers end in _bn (gamma, beta, mean, variance). */
    private static SyntheticWeights.Kind kindFromMeta(Fixtures.Checksum c, boolean firstTensor) {
        String[] names = c.layer().endsWith("_bn")
                ? new String[] {"gamma", "beta", "moving_mean", "moving_variance"}
                : new String[] {"kernel", "bias"};
        return SyntheticWeights.kindOf(c.layer(), names[c.index()], firstTensor);
    }

    @Test
    void imagesAreTheFixtureInputs() {
        Tensor tiny = SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 2, 64, 64);
        assertArrayEquals(Fixtures.npy("tiny_input_rgb_uint8.npy").toArray(), tiny.toArray());
        Tensor full = SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 2, 224, 224);
        assertArrayEquals(Fixtures.npy("input_rgb_uint8.npy").toArray(), full.toArray());
    }

    @Test
    void splitmixKnownValue() {
        // SplitMix64 seeded with 0 (Vigna's reference generator): the first output is 0xE220A8397B1DCDAF.
        assertEquals(0xE220A8397B1DCDAFL, SyntheticWeights.splitmix64(0));
    }
}
