package dev.convey.onnx;

import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.Applications;
import dev.convey.applications.SyntheticWeights;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dropout;
import dev.convey.layers.Normalization;
import dev.convey.layers.Rescaling;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;

/**
 * EfficientNetB0 and DenseNet121 at full size (224 x 224, slow group; ApplicationExportTest exports them small by
 * default) with the synthetic weights of SYNTHETIC_WEIGHTS.md,
 * exported to ONNX and run in ONNX Runtime: its outputs equal Convey's to 1e-5 of their largest magnitude (logits,
 * so that the comparison sees every class). And EfficientNet's imagenet stem, whose third layer is a per-channel
 * Rescaling, after a Conv2D so that the channels-first layout has to come back to channels-last for it.
 */
class ZooExportTest {

    @Tag("slow")
    @ParameterizedTest
    @ValueSource(strings = {"efficientnet_b0", "densenet121"})
    void fullSizeWithSyntheticWeightsMatchesConvey(String name) throws Exception {
        Applications.Application app = Applications.get(name);
        Model model = app.create(new ApplicationOptions().weights(null).classifierActivation("linear"));
        SyntheticWeights.fill(model, SyntheticWeights.FIXTURE_SEED);
        Tensor x = app.preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 1, 224, 224));
        OrtRunner.assertMatchesConvey(model, x);
    }

    @Test
    void perChannelRescalingAndStochasticDepthExport() throws Exception {
        SymbolicTensor in = Input.of(6, 5, 3);
        SymbolicTensor h = new Rescaling(1 / 255.0).apply(in);
        h = new Normalization().apply(h);
        h = new Rescaling(new double[] {1 / Math.sqrt(0.229), 1 / Math.sqrt(0.224), 1 / Math.sqrt(0.225)}, 0.25).apply(h);
        h = new Conv2D(4, 3).padding("same").activation("swish").apply(h);
        h = new Rescaling(new double[] {2, -1, 0.5, 3}, 0).apply(h);
        h = new Dropout(0.4).noiseShape(-1, 1, 1, 1).apply(h);
        Model model = new Model(in, h, "stem");
        SyntheticWeights.fill(model, 3);
        Tensor x = Tensor.zeros(2, 6, 5, 3);
        Random r = new Random(1);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, r.nextInt(256));
        }
        OrtRunner.assertMatchesConvey(model, x);
    }
}
