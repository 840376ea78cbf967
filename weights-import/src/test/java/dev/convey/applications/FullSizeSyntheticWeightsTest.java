package dev.convey.applications;

import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.convey.keras.KerasWeights;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * Full-size VGG16 and ResNet50 (224x224) with the synthetic weights of SYNTHETIC_WEIGHTS.md, through a Keras
 * weights file: generate, write with the exporter, load into fresh models as {@code weights=FILE} does, and match
 * the float64 reference's feature map, logits and predictions to 1e-4 of their RMS.
 */
@Tag("slow")
class FullSizeSyntheticWeightsTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"vgg16", "resnet50"})
    void generatedWeightsSurviveTheKerasFileAndReproduceTheReference(String model) {
        Path file = tmp.resolve(model + "_synthetic_seed1.h5");
        Model generated = create(model, new ApplicationOptions().weights(null));
        SyntheticWeights.fill(generated, SyntheticWeights.FIXTURE_SEED);
        KerasWeights.save(generated, file);
        generated = null; // the loaded copies below must not share anything with it

        String featureLayer = model.equals("vgg16") ? "block5_pool" : "conv5_block3_out";
        Tensor x = Fixtures.npy("input_preprocessed.npy");

        Model logits = create(model, new ApplicationOptions().weights(file.toString()).classifierActivation("linear"));
        Fixtures.assertClose(model + " logits", Fixtures.npy(model + "_logits.npy"), logits.forward(x).copy(),
                Fixtures.rms(model, "predictions:logits"));
        Model features = new Model(logits.inputs(), logits.outputOf(featureLayer), "features");
        Fixtures.assertClose(model + " " + featureLayer, Fixtures.npy(model + "_" + featureLayer + ".npy"),
                features.forward(x), Fixtures.rms(model, featureLayer));

        Model classifier = create(model, new ApplicationOptions().weights(file.toString()));
        Tensor expected = Fixtures.npy(model + "_predictions.npy");
        Fixtures.assertClose(model + " predictions", expected, classifier.forward(x), Fixtures.rms(expected));
    }

    private static Model create(String model, ApplicationOptions options) {
        return model.equals("vgg16") ? VGG16.create(options) : ResNet50.create(options);
    }
}
