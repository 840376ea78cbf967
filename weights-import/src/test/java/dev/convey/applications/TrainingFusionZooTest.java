package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;
import dev.convey.training.FitOptions;
import dev.convey.training.History;
import dev.convey.training.SGD;

/**
 * ResNet50 (64 x 64, batch 2, synthetic weights, every layer trainable, a new softmax head): one {@code fit} step
 * with its 33 batch norm -> relu pairs fused (models' TrainingFusion, the default) gives the loss, the weights
 * and the moving statistics of the layers one by one ({@code convey.fuseTraining=false}), bit for bit.
 */
class TrainingFusionZooTest {

    private record Step(double loss, List<float[]> weights) {
    }

    private static Step oneStep(boolean fuse) {
        System.setProperty("convey.fuseTraining", Boolean.toString(fuse));
        try {
            Model base = Applications.get("resnet50")
                    .create(new ApplicationOptions().weights(null).includeTop(false).inputShape(64, 64, 3));
            SyntheticWeights.fill(base, SyntheticWeights.FIXTURE_SEED);
            Layer.setRandomSeed(1);
            SymbolicTensor x = Input.of(64, 64, 3);
            Model m = new Model(x, new Dense(4).activation("softmax").apply(new GlobalAveragePooling2D().apply(base.apply(x))),
                    "resnet50_transfer");
            m.compile(new SGD(0.05), "categorical_crossentropy");
            Tensor images = ImageNet.preprocessInput(SyntheticWeights.images(SyntheticWeights.FIXTURE_SEED, 2, 64, 64));
            Tensor labels = Tensor.zeros(2, 4);
            labels.data().put(1, 1f);
            labels.data().put(4 + 3, 1f);
            History h = m.fit(images, labels, FitOptions.builder().batchSize(2).epochs(1).shuffle(false).verbose(false).build());
            List<float[]> weights = new ArrayList<>();
            for (Parameter p : m.weights()) {
                weights.add(p.value().toArray());
            }
            return new Step(h.last("loss"), weights);
        } finally {
            System.clearProperty("convey.fuseTraining");
        }
    }

    @Test
    void oneFusedStepEqualsTheLayersOneByOne() {
        Step plain = oneStep(false);
        Step fused = oneStep(true);
        assertTrue(Double.isFinite(plain.loss()) && plain.loss() > 0, "loss " + plain.loss());
        assertEquals(plain.loss(), fused.loss(), 0.0, "loss");
        assertEquals(plain.weights().size(), fused.weights().size());
        for (int i = 0; i < plain.weights().size(); i++) {
            assertArrayEquals(plain.weights().get(i), fused.weights().get(i), 0f, "weight " + i);
        }
    }
}
