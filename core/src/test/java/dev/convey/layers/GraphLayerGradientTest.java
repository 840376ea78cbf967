package dev.convey.layers;

import static dev.convey.layers.TestTensors.randomizeWeights;
import static dev.convey.layers.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/** BatchNormalization, Add, Concatenate and Dropout pass the finite-difference check. */
class GraphLayerGradientTest {

    private static final double TOLERANCE = 2e-3;

    /** A batch-norm layer with random gamma and beta, a random moving mean and a positive moving variance. */
    private static BatchNormalization batchNorm(BatchNormalization bn, Tensor x) {
        bn.build(Shapes.withoutBatch(x.shape()));
        randomizeWeights(bn, 3);
        Tensor variance = bn.movingVariance().value();
        for (int c = 0; c < variance.size(); c++) {
            variance.data().put(c, 0.5f + Math.abs(variance.data().get(c)));
        }
        return bn;
    }

    /** Training mode: the gradient flows through the batch mean and variance too. */
    @Test
    void batchNormalizationTraining() {
        Tensor x = uniform(1, 3, 3, 2, 4);
        GradientCheck.of(batchNorm(new BatchNormalization(), x)).inputs(x).training(true).assertMatches(TOLERANCE);
    }

    @Test
    void batchNormalizationTrainingOnRank2WithoutCenter() {
        Tensor x = uniform(2, 6, 5);
        GradientCheck.of(batchNorm(new BatchNormalization().center(false), x)).inputs(x).training(true)
                .assertMatches(TOLERANCE);
    }

    /** Inference mode: an affine map per channel. */
    @Test
    void batchNormalizationInference() {
        Tensor x = uniform(3, 2, 3, 3, 4);
        GradientCheck.of(batchNorm(new BatchNormalization().epsilon(1.001e-5), x)).inputs(x).training(false)
                .assertMatches(TOLERANCE);
    }

    /** A layer frozen at compile time runs in inference mode during training, and its gradient is the affine one. */
    @Test
    void frozenBatchNormalizationInTraining() {
        Tensor x = uniform(4, 2, 2, 3, 3);
        BatchNormalization bn = batchNorm(new BatchNormalization().scale(false), x);
        bn.setTrainable(false);
        bn.snapshotTrainable();
        float[] inference = bn.forward(new Tensor[] {x}, false).toArray();
        Tensor[] dx = bn.backward(Tensor.full(1f, x.shape()), new boolean[] {true}, false);
        assertArrayEquals(inference, bn.forward(new Tensor[] {x}, true).toArray());
        float[] affine = dx[0].toArray();
        for (int i = 0; i < affine.length; i++) {
            int c = i % 3;
            float expected = (float) (1 / Math.sqrt(bn.movingVariance().value().get(c) + bn.epsilon()));
            assertEquals(expected, affine[i], 1e-6);
        }
        GradientCheck.of(bn).inputs(x).training(true).assertMatches(TOLERANCE);
    }

    @Test
    void addOfThree() {
        GradientCheck.of(new Add()).inputs(uniform(5, 2, 3, 3, 2), uniform(6, 2, 3, 3, 2), uniform(7, 2, 3, 3, 2))
                .assertMatches(TOLERANCE);
    }

    @Test
    void concatenateChannels() {
        GradientCheck.of(new Concatenate()).inputs(uniform(8, 2, 2, 3, 2), uniform(9, 2, 2, 3, 5))
                .assertMatches(TOLERANCE);
    }

    @Test
    void concatenateWidth() {
        GradientCheck.of(new Concatenate(2)).inputs(uniform(10, 2, 2, 1, 3), uniform(11, 2, 2, 4, 3),
                uniform(12, 2, 2, 2, 3)).assertMatches(TOLERANCE);
    }

    /** With a fixed mask dropout is y = x * m, which the check can differentiate. */
    @Test
    void dropoutWithAFixedMask() {
        Dropout dropout = new Dropout(0.4);
        Tensor mask = Tensor.zeros(3, 4, 5);
        Random random = new Random(13);
        for (int i = 0; i < mask.size(); i++) {
            mask.data().put(i, random.nextFloat() < 0.4 ? 0f : 1f / 0.6f);
        }
        dropout.fixMask(mask);
        GradientCheck.of(dropout).inputs(uniform(14, 3, 4, 5)).training(true).assertMatches(TOLERANCE);
    }
}
