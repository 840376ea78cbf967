package dev.convey.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.convey.layers.Activation;
import dev.convey.layers.Add;
import dev.convey.layers.BatchNormalization;
import dev.convey.layers.Concatenate;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.GradientCheck;
import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Tensor;

/** Backward through whole graphs: fan-out sums, nested models, frozen bases. */
class ModelGradientTest {

    private static Tensor uniform(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, (float) (r.nextDouble() * 2 - 1));
        }
        return t;
    }

    /** Random weights everywhere (biases and beta too), positive moving variances. */
    static void randomize(Model m, long seed) {
        Random r = new Random(seed);
        for (Parameter p : m.weights()) {
            Tensor v = uniform(r, p.value().shape());
            if (p.name().equals("moving_variance")) {
                for (int i = 0; i < v.size(); i++) {
                    v.data().put(i, 0.5f + Math.abs(v.data().get(i)));
                }
            }
            p.assign(v);
        }
    }

    /**
     * x feeds three layers (fan-out: its gradient is a sum of three), a nested model sits in one branch, and two
     * inputs join: every weight and both inputs are checked against finite differences.
     */
    @Test
    void functionalModelWithFanOutAndANestedModel() {
        Layer.setRandomSeed(1);
        SymbolicTensor inner = Input.of(4, 4, 3);
        SymbolicTensor innerOut = new BatchNormalization().apply(new Conv2D(3, 3).padding("same").apply(inner));
        Model nested = new Model(inner, new Activation("tanh").apply(innerOut), "nested");

        SymbolicTensor x = Input.of("image", 4, 4, 3);
        SymbolicTensor extra = Input.of("extra", 4, 4, 2);
        SymbolicTensor a = nested.apply(x);
        SymbolicTensor b = new Conv2D(3, 1).apply(x);
        SymbolicTensor sum = new Add().apply(a, b, x);
        SymbolicTensor joined = new Concatenate().apply(sum, extra);
        SymbolicTensor y = new Dense(3).apply(new Flatten().apply(joined));
        Model model = new Model(List.of(x, extra), y, "fan_out");
        randomize(model, 2);

        Random r = new Random(3);
        // Training mode: the nested BN normalises with the statistics of this batch of 48 rows. Its float32
        // rounding, amplified by 1/(2h), leaves about 5e-3 on the smallest elements (every element checked by hand
        // agrees to 1e-4 at h = 1e-2); a wrong fan-out sum or a missing path errs by O(1).
        GradientCheck.of(model).inputs(uniform(r, 3, 4, 4, 3), uniform(r, 3, 4, 4, 2))
                .training(true).assertMatches(1e-2);
        // Both inputs and all 10 trainable weights: nested conv kernel+bias, gamma, beta; conv; dense.
        // Inference mode: the nested conv's kernel sits behind three layers of float32 rounding (about 3e-3 at
        // h = 1e-2); errors of a wrong gradient are O(1).
        GradientCheck.of(model).inputs(uniform(r, 2, 4, 4, 3), uniform(r, 2, 4, 4, 2)).assertMatches(5e-3);
    }

    /**
     * A frozen nested base: no weight-gradient work and no backward at all inside it; the trainable head's
     * gradients agree with finite differences of the whole model's forward pass.
     */
    @Test
    void frozenBaseHeadGradientsAreCorrect() {
        Layer.setRandomSeed(4);
        SymbolicTensor in = Input.of(5, 5, 2);
        Conv2D baseConv = new Conv2D(4, 3);
        BatchNormalization baseBn = new BatchNormalization();
        Model base = new Model(in, new Activation("relu").apply(baseBn.apply(baseConv.apply(in))), "base");

        SymbolicTensor x = Input.of(5, 5, 2);
        Probe probe = new Probe("after_base");
        Dense head = new Dense(2);
        SymbolicTensor features = new GlobalAveragePooling2D().apply(probe.apply(base.apply(x)));
        Model model = new Model(x, head.apply(features), "transfer");
        randomize(model, 5);
        base.setTrainable(false);
        model.snapshotTrainable();
        assertEquals(List.of(head.kernel(), head.bias()), model.trainableWeights());

        Random r = new Random(6);
        Tensor batch = uniform(r, 3, 5, 5, 2);
        Tensor dy = uniform(r, 3, 2);
        model.forward(new Tensor[] {batch}, true);
        model.backward(dy, new boolean[] {false}, true);
        assertEquals(0, baseConv.weightGradientPasses());
        assertEquals(0, baseBn.weightGradientPasses());
        assertEquals(0, probe.backwardCalls, "no gradient is computed below the first trainable layer");
        assertEquals(1, head.weightGradientPasses());

        // dL/dW for L = sum(y * dy), by central differences of the model's own (training) forward pass.
        for (Parameter p : List.of(head.kernel(), head.bias())) {
            float[] analytic = p.gradient().toArray();
            for (int i = 0; i < p.value().size(); i++) {
                float original = p.value().data().get(i);
                double h = 1e-2;
                p.value().data().put(i, (float) (original + h));
                p.changed();
                double plus = dot(model.forward(new Tensor[] {batch}, true), dy);
                p.value().data().put(i, (float) (original - h));
                p.changed();
                double minus = dot(model.forward(new Tensor[] {batch}, true), dy);
                p.value().data().put(i, original);
                p.changed();
                double numeric = (plus - minus) / (2 * h);
                assertEquals(numeric, analytic[i], 1e-4 * Math.max(1, Math.abs(numeric)), p.fullName() + "[" + i + "]");
            }
        }
        // The frozen BN ran in inference mode all along: its moving statistics never moved.
        Tensor movingMean = baseBn.movingMean().value().copy();
        model.forward(new Tensor[] {batch}, true);
        assertArrayEquals(movingMean.toArray(), baseBn.movingMean().value().toArray());
        assertEquals(1, model.nodesRunningBackward(), "only the head runs backward");
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += (double) a.data().get(i) * b.data().get(i);
        }
        return s;
    }
}
