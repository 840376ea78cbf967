package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Tensor;

/** A residual block learns a small regression with plain SGD written out here: the whole DAG trains. */
class ResidualTrainingTest {

    /** Input -> Conv -> BN -> ReLU -> Conv, plus a 1x1 conv shortcut -> Add -> ReLU -> global average pooling -> Dense. */
    static Model toyResidualModel() {
        SymbolicTensor x = Input.of(6, 6, 2);
        SymbolicTensor main = new Conv2D(8, 3).padding("same").apply(x);
        main = new BatchNormalization().apply(main);
        main = new Activation("relu").apply(main);
        main = new Conv2D(8, 3).padding("same").apply(main);
        SymbolicTensor shortcut = new Conv2D(8, 1).apply(x);
        SymbolicTensor y = new Activation("relu").apply(new Add().apply(shortcut, main));
        y = new GlobalAveragePooling2D().apply(y);
        return new Model(x, new Dense(3).apply(y), "toy_resnet");
    }

    @Test
    void lossFallsBelowATenthWithinTwoHundredSgdSteps() {
        Layer.setRandomSeed(42);
        Model model = toyResidualModel();
        model.snapshotTrainable();
        Random r = new Random(3);
        int batch = 8;
        Tensor x = Tensor.zeros(batch, 6, 6, 2);
        Tensor target = Tensor.zeros(batch, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) r.nextGaussian());
        }
        for (int i = 0; i < target.size(); i++) {
            target.data().put(i, (float) r.nextGaussian());
        }
        Tensor dLoss = Tensor.zeros(batch, 3);
        double first = Double.NaN;
        double last = Double.NaN;
        float learningRate = 0.1f;
        for (int step = 0; step < 200; step++) {
            Tensor y = model.forward(new Tensor[] {x}, true);
            // Mean squared error L = mean((y - t)^2), dL/dy = 2 (y - t) / size.
            double loss = 0;
            for (int i = 0; i < y.size(); i++) {
                double d = y.data().get(i) - target.data().get(i);
                loss += d * d / y.size();
                dLoss.data().put(i, (float) (2 * d / y.size()));
            }
            if (step == 0) {
                first = loss;
            }
            last = loss;
            if (loss < 0.1 * first) {
                break;
            }
            model.backward(dLoss, new boolean[] {false}, true);
            for (Parameter p : model.trainableWeights()) {
                for (int i = 0; i < p.value().size(); i++) {
                    p.value().data().put(i, p.value().data().get(i) - learningRate * p.gradient().data().get(i));
                }
                p.changed();
            }
        }
        assertTrue(last < 0.1 * first, "loss went from " + first + " to " + last);
    }
}
